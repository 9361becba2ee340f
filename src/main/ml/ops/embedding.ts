import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';

/** Rows of `table` picked by `ids`, copied on the JS side (table and ids are small to read back). */
function gatherRowsJs(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [vocab, width] = table.shape;
  const t = table.dataSync() as Float32Array;
  const idx = ids.dataSync() as Int32Array;
  const out = new Float32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (r < 0 || r >= vocab) throw new Error(`embedding id ${r} out of range [0, ${vocab})`);
    out.set(t.subarray(r * width, (r + 1) * width), i * width);
  }
  return tf.tensor2d(out, [idx.length, width]);
}

/**
 * table[ids], differentiable in `table` (`ids`, [n] int32, is data).
 * On wasm/cpu: gather's gradient (UnsortedSegmentSum) is missing on wasm and the gather kernel is
 * slow (~25 ns/element), so the rows are copied in JS (both backends are synchronous anyway) and
 * the gradient is onehot(ids)^T @ dy, a matMul: linear in dy, so second-order passes still work.
 * Elsewhere: tf.gather, whose gradient exists there.
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
      value: gatherRowsJs(t, ids) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        matMul(tf.transpose(tf.oneHot(saved[0] as tf.Tensor1D, vocab)) as tf.Tensor2D, dy as tf.Tensor2D),
      ],
    };
  });
  return f(table) as tf.Tensor2D;
}
