import * as tf from '@tensorflow/tfjs';
import { inputMatMul } from './matmul';

/**
 * Row-broadcast ops with fast gradients. The stock gradient of x + b (b: [d], x: [rows, d]) sums dy
 * over axis 0, which wasm does by transposing first: ~40x slower than a ones-row matMul (5 ms vs
 * 0.1 ms for 1536 x 512). Gradients here use `sumRows` and saved inputs, so they stay twice
 * differentiable. Other backends use the stock ops.
 */

type Arg = tf.Tensor | tf.GradSaveFunc;

const onWasm = (): boolean => tf.getBackend() === 'wasm';

/** sum over rows of x [rows, d] -> [d], as ones[1, rows] @ x. */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  if (!onWasm()) return tf.sum(x, 0);
  return tf.reshape(inputMatMul(tf.ones([1, x.shape[0]]) as tf.Tensor2D, x), [x.shape[1]]);
}

const addRowWasm = tf.customGrad((...args: Arg[]) => {
  const [x, b] = args as [tf.Tensor2D, tf.Tensor1D];
  return {
    value: tf.add(x, b) as tf.Tensor,
    gradFunc: (dy: tf.Tensor) => [tf.reshape(dy, dy.shape), sumRows(dy as tf.Tensor2D)],
  };
}) as unknown as (x: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x [rows, d] + b [d] broadcast over rows. */
export function addRow(x: tf.Tensor2D, b: tf.Tensor): tf.Tensor2D {
  return onWasm() ? addRowWasm(x, b as tf.Tensor1D) : (tf.add(x, b) as tf.Tensor2D);
}

const mulRowWasm = tf.customGrad((...args: Arg[]) => {
  const [x, g, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, g]);
  return {
    value: tf.mul(x, g) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sg] = saved as [tf.Tensor2D, tf.Tensor1D];
      return [mulRowWasm(dy as tf.Tensor2D, sg), sumRows(tf.mul(dy, sx) as tf.Tensor2D)];
    },
  };
}) as unknown as (x: tf.Tensor2D, g: tf.Tensor1D) => tf.Tensor2D;

/** x [rows, d] * g [d] broadcast over rows. */
export function mulRow(x: tf.Tensor2D, g: tf.Tensor): tf.Tensor2D {
  return onWasm() ? mulRowWasm(x, g as tf.Tensor1D) : (tf.mul(x, g) as tf.Tensor2D);
}
