import * as tf from '@tensorflow/tfjs';
import { fusedTrainingCrossEntropy } from './fused-native';

/**
 * Row max treated as a constant. Subtracting it only stabilises log-sum-exp (the result does not
 * depend on it), so its gradient is zero by construction; this also keeps reduce-max, whose nested
 * gradient throws in tfjs, off the tape.
 */
const rowMaxConst = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const z = args[0] as tf.Tensor2D;
  return { value: tf.max(z, 1, true) as tf.Tensor, gradFunc: () => [tf.zerosLike(z)] };
}) as (z: tf.Tensor2D) => tf.Tensor2D;

/** log(sum_c exp(z_c)) per row, written from differentiable pieces. Returns [n, 1]. */
export function logSumExpRows(z: tf.Tensor2D): tf.Tensor2D {
  const m = rowMaxConst(z);
  return tf.add(m, tf.log(tf.sum(tf.exp(tf.sub(z, m)), 1, true)));
}

/**
 * Mean softmax cross-entropy over the batch (METRICS.md `train_loss`/`test_loss`).
 * `labelsOneHot` is [n, C] float; using a one-hot product instead of gather keeps the gradient
 * available on wasm.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const lse = logSumExpRows(logits);
    const picked = tf.sum(tf.mul(logits, labelsOneHot), 1, true);
    return tf.mean(tf.sub(lse, picked));
  });
}

/**
 * Same value as `softmaxCrossEntropy`, with a one-pass gradient (softmax - y) / n from the softmax
 * saved in the forward. First-order only: a second-order pass would treat the saved softmax as a
 * constant and be silently wrong, so Hessian code must use `softmaxCrossEntropy`. One native pass on
 * wasm with the addon (ops/fused-native).
 */
export function trainingCrossEntropy(logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Scalar {
  const fused = fusedTrainingCrossEntropy(logits, labelsOneHot);
  if (fused) return fused;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [z, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const lse = logSumExpRows(z);
    const probs = tf.exp(tf.sub(z, lse));
    save([probs, y]);
    const value = tf.mean(tf.sub(lse, tf.sum(tf.mul(z, y), 1, true)));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [p, yy] = saved;
        return [tf.mul(tf.sub(p, yy), tf.div(dy, p.shape[0])), tf.zerosLike(yy)];
      },
    };
  });
  return f(logits, labelsOneHot) as tf.Scalar;
}

/** Number of rows whose argmax equals the label. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')));
}
