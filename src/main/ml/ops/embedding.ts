import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';

/**
 * table[ids], differentiable in `table` (`ids`, [n] int32, is data).
 * On wasm/cpu the value is tf.gather (on wasm our row-copy kernel, ops/wasm-kernels), and the gradient is
 * onehot(ids)^T @ dy, a matMul: gather's own gradient (UnsortedSegmentSum) is missing on wasm, and the
 * matMul is linear in dy, so second-order passes still work.
 * Elsewhere: tf.gather with its own gradient.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return tf.gather(table, ids);
  const vocab = table.shape[0];
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [t, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // saved, not closed over: the caller's tidy may dispose `ids` before the backward pass runs
    save([ids]);
    return {
      value: tf.gather(t, ids) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        matMul(tf.transpose(tf.oneHot(saved[0] as tf.Tensor1D, vocab)) as tf.Tensor2D, dy as tf.Tensor2D),
      ],
    };
  });
  return f(table) as tf.Tensor2D;
}
