import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';
import { SCATTER_ROWS } from './wasm-copy-kernels';

type Arg = tf.Tensor | tf.GradSaveFunc;

/** dy's rows added into a [rows, w] table at ids (wasm's scatter kernel); its gradient in dy is the gather back, so it stays differentiable. */
const scatterRows = (dy: tf.Tensor2D, ids: tf.Tensor1D, rows: number): tf.Tensor2D =>
  tf.engine().runKernel(SCATTER_ROWS, { dy, ids }, { rows }) as tf.Tensor2D;

let gradientRegistered = false;
function registerScatterGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: SCATTER_ROWS,
    inputsToSave: ['ids'],
    gradFunc: (ddy, [ids]) => ({ dy: () => tf.gather(ddy as tf.Tensor, ids!), ids: () => tf.zeros(ids!.shape) }),
  });
}

/**
 * table[ids], differentiable in `table` (`ids`, [n] int32, is data).
 * On wasm/cpu the value is tf.gather (on wasm our row-copy kernel, ops/wasm-kernels), and the gradient is
 * a linear map of dy, so second-order passes still work: on wasm the scatter-add kernel, on cpu
 * onehot(ids)^T @ dy (gather's own gradient, UnsortedSegmentSum, is missing on wasm).
 * Elsewhere: tf.gather with its own gradient.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return tf.gather(table, ids);
  const vocab = table.shape[0];
  const scatter = backend === 'wasm' && tf.getKernel(SCATTER_ROWS, 'wasm') !== undefined;
  if (scatter) registerScatterGradient();
  const f = tf.customGrad((...args: Arg[]) => {
    const [t, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // saved, not closed over: the caller's tidy may dispose `ids` before the backward pass runs
    save([ids]);
    return {
      value: tf.gather(t, ids) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sid = saved[0] as tf.Tensor1D;
        if (scatter) return [scatterRows(dy as tf.Tensor2D, sid, vocab)];
        return [matMul(tf.transpose(tf.oneHot(sid, vocab)) as tf.Tensor2D, dy as tf.Tensor2D)];
      },
    };
  });
  return f(table) as tf.Tensor2D;
}
