import * as tf from '@tensorflow/tfjs';

/**
 * Scales all gradients by min(1, maxNorm / (globalNorm + 1e-6)) (PyTorch clip_grad_norm_).
 * Stays on the device (no sync). Returns new tensors; the caller disposes both sets.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  return tf.tidy(() => {
    const list = Object.values(grads);
    const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
    const coef = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const out: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, coef);
    return { grads: out, norm };
  });
}
