import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';

/**
 * Exact second-order gradients in tfjs 4.22 (PLATFORM.md). Stock gradients of Exp/Sigmoid/Tanh/
 * Softmax read the saved forward *output*, a clone the outer tape never sees, so a nested grad
 * either throws or is silently wrong. We re-register them to recompute from the saved *input*;
 * comparison ops get zero gradients so a second pass through e.g. relu/pow backward does not throw.
 * The replacements compute the stock first-order gradients bit for bit (the recomputed output equals the
 * saved one), at the cost of one extra elementwise op per node, so installing them leaves training unchanged.
 */

type Saved = tf.Tensor[];

const COMPARISONS = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'];

let installed = false;

/** Idempotent: call once per process or worker before any HVP (modelHessianMetrics does). */
export function installSecondOrderGradients(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.exp((saved as Saved)[0])) }),
  });
  tf.registerGradient({
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({
      x: () => {
        const s = tf.sigmoid((saved as Saved)[0]);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    }),
  });
  tf.registerGradient({
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh((saved as Saved)[0])))) }),
  });
  tf.registerGradient({
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => ({
      logits: () => {
        const dim = (attrs as { dim: number }).dim;
        const y = tf.softmax((saved as Saved)[0], dim);
        // tfjs's own expression, in its order, so that first-order gradients keep their bits once this is installed
        const dyTimesY = tf.mul(dy as tf.Tensor, y);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
      },
    }),
  });
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as Saved;
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
}

/**
 * Hessian-vector product H v of the scalar `lossFn()` w.r.t. `params` (exact, double backward:
 * H v = d/dθ <dL/dθ, v>). `params` may be any subset of the model's variables (one layer's block);
 * `v` has one tensor per param, same shapes. lossFn must read the params (variables) directly and
 * build its graph from twice-differentiable ops (ops/matmul, `softmaxCrossEntropy`).
 * Returns new tensors shaped like the params; the caller disposes them.
 */
export function hvp(lossFn: () => tf.Scalar, params: tf.Variable[], v: tf.Tensor[]): tf.Tensor[] {
  if (params.length === 0) throw invalid('hvp needs at least one parameter');
  if (v.length !== params.length) throw invalid(`hvp: ${v.length} direction tensors for ${params.length} parameters`);
  params.forEach((p, i) => {
    if (p.shape.join('x') !== v[i].shape.join('x')) {
      throw invalid(`hvp: direction ${i} has shape ${v[i].shape.join('x')}, parameter has ${p.shape.join('x')}`);
    }
  });
  installSecondOrderGradients();
  return tf.tidy(() => {
    // the params are passed as the differentiated "arguments" so that tape ids match the variables
    const gradDotV = (): tf.Scalar => {
      const g = tf.grads(() => lossFn())(params);
      let dot = tf.sum(tf.mul(g[0], v[0])) as tf.Scalar;
      for (let i = 1; i < g.length; i++) dot = tf.add(dot, tf.sum(tf.mul(g[i], v[i])));
      return dot;
    };
    return tf.grads(() => gradDotV())(params);
  });
}

/** Gradient of `lossFn()` w.r.t. `params` (for finite-difference checks and callers that need it). */
export function gradient(lossFn: () => tf.Scalar, params: tf.Variable[]): tf.Tensor[] {
  return tf.tidy(() => tf.grads(() => lossFn())(params));
}
