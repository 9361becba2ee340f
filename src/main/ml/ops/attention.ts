import * as tf from '@tensorflow/tfjs';
import { addRow, mulRow } from './broadcast';
import { matMul } from './matmul';

type Arg = tf.Tensor | tf.GradSaveFunc;

/** The value of x with a zero gradient (for shifts that do not change a result, like softmax's max). */
export const constant = tf.customGrad((...args: Arg[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: () => [tf.zerosLike(x)] };
}) as unknown as <T extends tf.Tensor>(x: T) => T;

/** LayerNorm over the last axis of [rows, d], PyTorch's eps; written from twice-differentiable ops. */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  const xc = tf.sub(x, tf.mean(x, 1, true));
  const std = tf.sqrt(tf.add(tf.mean(tf.square(xc), 1, true), eps));
  return addRow(mulRow(tf.div(xc, std) as tf.Tensor2D, gain), bias);
}

/** [d, heads] with ones where feature k belongs to head h: sums a product per head by one matMul. */
export function headIndicator(d: number, heads: number): tf.Tensor2D {
  const dh = d / heads;
  const m = new Float32Array(d * heads);
  for (let k = 0; k < d; k++) m[k * heads + Math.floor(k / dh)] = 1;
  return tf.tensor2d(m, [d, heads]);
}

/**
 * Multi-head attention over a short sequence kept as one [n, d] tensor per position (the sequences
 * here have 2-3 tokens, so per-position elementwise products beat batched matMuls with transposes,
 * the slow path on wasm). q[i] attends over k[j], v[j] for j <= i (causal, i counted from `qOffset`,
 * the position of q[0]) or all j. Softmax over j per head, from elementwise ops with a constant max
 * shift, so it stays twice differentiable once Exp's gradient is re-registered (hessian/second-order).
 * `ind` is headIndicator(d, heads). Returns one [n, d] tensor per query (heads concatenated).
 */
export function attend(q: tf.Tensor2D[], k: tf.Tensor2D[], v: tf.Tensor2D[], ind: tf.Tensor2D, causal: boolean, qOffset: number): tf.Tensor2D[] {
  const heads = ind.shape[1];
  const scale = 1 / Math.sqrt(ind.shape[0] / heads);
  const indT = tf.transpose(ind) as tf.Tensor2D;
  return q.map((qi, i) => {
    const seen = causal ? qOffset + i + 1 : k.length;
    const scores = k.slice(0, seen).map((kj) => tf.mul(matMul(tf.mul(qi, kj) as tf.Tensor2D, ind), scale) as tf.Tensor2D);
    const m = constant(scores.reduce((a, b) => tf.maximum(a, b)));
    const e = scores.map((s) => tf.exp(tf.sub(s, m)));
    const z = e.reduce((a, b) => tf.add(a, b));
    let out: tf.Tensor | undefined;
    e.forEach((ej, j) => {
      const term = tf.mul(matMul(tf.div(ej, z) as tf.Tensor2D, indT), v[j]);
      out = out ? tf.add(out, term) : term;
    });
    return out as tf.Tensor2D;
  });
}
