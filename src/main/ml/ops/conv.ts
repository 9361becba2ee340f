import * as tf from '@tensorflow/tfjs';
import { blasConv3x3, convOnBlas } from './conv-blas';
import { im2colT, maxPool2x2Js } from './conv-js';
import { matMul } from './matmul';
import { nativeMaxPool2x2, poolNative } from './pool-native';

type Arg = tf.Tensor | tf.GradSaveFunc;

/** PyTorch conv weight [out, in, 3, 3] -> tfjs filter [3, 3, in, out]. */
const toFilter = (w: tf.Tensor4D): tf.Tensor4D => tf.transpose(w, [2, 3, 1, 0]);

/** The weight whose 'same' convolution is the transpose of w's: swap in/out and rotate 180 degrees. */
const flipped = (w: tf.Tensor4D): tf.Tensor4D => tf.reverse(tf.transpose(w, [1, 0, 2, 3]), [2, 3]);

/** dL/dw in PyTorch layout from the input and the output gradient: im2col(x)^T @ dy. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const [n, h, wd, cin] = x.shape;
  const cout = dy.shape[3];
  const g = matMul(im2colT(x), tf.reshape(dy, [n * h * wd, cout]) as tf.Tensor2D);
  return tf.transpose(tf.reshape(g, [3, 3, cin, cout]), [3, 2, 0, 1]);
}

/**
 * Wasm has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained there. The forward is the
 * native (fast) conv; the gradient is written from saved inputs with twice-differentiable pieces:
 * dx is the same conv with the flipped weight, dw an im2col matMul. So HVPs work through it.
 */
const convBoth = tf.customGrad((...args: Arg[]) => {
  const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.conv2d(x, toFilter(w), 1, 'same') as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor4D[];
      return [conv3x3(dy as tf.Tensor4D, flipped(sw)), filterGrad(sx, dy as tf.Tensor4D)];
    },
  };
}) as unknown as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

/** wasm and cpu run synchronously, so the JS-side kernels (conv-js) can read tensors directly. */
const syncBackend = (): boolean => tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';

/**
 * 3x3 convolution, stride 1, zero padding 1 ('same'), no bias. x: [n, h, w, in] (NHWC);
 * w: [out, in, 3, 3] (PyTorch layout). `isInput`: x is data, so its gradient (a whole extra conv)
 * is skipped. With a BLAS on wasm: im2col + sgemm (conv-blas), where the tape skips it by itself.
 * Asynchronous backends use the stock op, whose gradients exist there.
 */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor4D, isInput = false): tf.Tensor4D {
  if (convOnBlas()) return blasConv3x3(x, w);
  if (!syncBackend()) return tf.conv2d(x, toFilter(w), 1, 'same');
  if (!isInput) return convBoth(x, w);
  const f = tf.customGrad((...args: Arg[]) => {
    const [ww, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([x]); // saved, not closed over: a tidy may dispose x before the backward pass
    return {
      value: tf.conv2d(x, toFilter(ww), 1, 'same') as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [filterGrad(saved[0] as tf.Tensor4D, dy as tf.Tensor4D)],
    };
  });
  return f(w) as tf.Tensor4D;
}

/**
 * 2x2 max pooling, stride 2 (h and w must be even); ties go to the first element of the window in
 * row-major order, as in PyTorch. Twice differentiable on wasm (native kernels, pool-native, else
 * conv-js) and cpu (conv-js); stock tf.maxPool elsewhere (its gradient, MaxPoolGrad, has no gradient of its own).
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`maxPool2x2 needs even height and width, got ${h}x${w}`);
  if (poolNative()) return nativeMaxPool2x2(x);
  return syncBackend() ? maxPool2x2Js(x) : tf.maxPool(x, 2, 2, 'valid');
}
