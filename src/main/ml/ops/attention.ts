import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';
import { batchMatMul, matMul } from './matmul';

export { layerNorm } from './fused-native';

type Arg = tf.Tensor | tf.GradSaveFunc;

/** The value of x with a zero gradient (for shifts that do not change a result, like softmax's max). */
export const constant = tf.customGrad((...args: Arg[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: () => [tf.zerosLike(x)] };
}) as unknown as <T extends tf.Tensor>(x: T) => T;

/** [d, heads] with ones where feature k belongs to head h: sums a product per head by one matMul. */
export function headIndicator(d: number, heads: number): tf.Tensor2D {
  const dh = d / heads;
  const m = new Float32Array(d * heads);
  for (let k = 0; k < d; k++) m[k * heads + Math.floor(k / dh)] = 1;
  return tf.tensor2d(m, [d, heads]);
}

/**
 * The per-position route (kept for the bench's comparison with `multiHeadAttention`, which replaced it):
 * multi-head attention over a short sequence kept as one [n, d] tensor per position; its kernel count
 * grows with T^2. q[i] attends over k[j], v[j] for j <= i (causal, i counted from `qOffset`,
 * the position of q[0]) or all j. Softmax over j per head, from elementwise ops with a constant max
 * shift, so it stays twice differentiable once Exp's gradient is re-registered (hessian/second-order).
 * `ind` is headIndicator(d, heads). Returns one [n, d] tensor per query (heads concatenated).
 */
export function attend(
  q: tf.Tensor2D[],
  k: tf.Tensor2D[],
  v: tf.Tensor2D[],
  ind: tf.Tensor2D,
  causal: boolean,
  qOffset: number,
): tf.Tensor2D[] {
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

export interface AttentionOptions {
  heads: number;
  /** Query i (at position qOffset + i) sees keys j <= qOffset + i; otherwise every key. */
  causal: boolean;
  /** Position of the first query among the T keys; default T - Tq (the queries are the last positions). */
  qOffset?: number;
  /** 'batch': tensors are [n, T, d]; 'time': [T, n, d] (position-major rows, as the transformer keeps them). */
  layout?: 'batch' | 'time';
}

/** Added to masked scores: exp underflows to exactly 0, and unlike -Infinity it never makes a NaN in a gradient. */
const MASKED = -1e9;

/** [Tq, T] additive causal mask: MASKED where key j lies after query i's position qOffset + i. */
function causalMask(tq: number, t: number, qOffset: number): tf.Tensor2D {
  const m = new Float32Array(tq * t);
  for (let i = 0; i < tq; i++) m.fill(MASKED, i * t + qOffset + i + 1, (i + 1) * t);
  return tf.tensor2d(m, [tq, t]);
}

/**
 * Multi-head attention softmax(Q K^T / sqrt(dh) + mask) V per head, as batched products over
 * [n * heads, Tq, T] scores: a fixed number of kernels whatever T is. q holds Tq queries, k and v T
 * positions, all of width d = heads * dh; the result has q's shape. The head split reshapes and
 * transposes K straight into [n * heads, dh, T], so neither product needs a transposed operand (the slow
 * path of wasm's own kernels); products go through `batchMatMul`. Twice differentiable: transposes,
 * reshapes, a constant mask, and softmax, whose gradient hessian/second-order re-registers for HVPs.
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, o: AttentionOptions): tf.Tensor3D {
  const time = o.layout === 'time';
  const [n, tq, d] = time ? [q.shape[1], q.shape[0], q.shape[2]] : q.shape;
  const t = time ? k.shape[0] : k.shape[1];
  const { heads } = o;
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0) {
    throw invalid(`attention: heads=${heads} must divide the width ${d}`, { field: 'heads', value: heads });
  }
  // k sets T; n and d come from q
  const kvShape = time ? [t, n, d] : [n, t, d];
  for (const [name, x] of [
    ['k', k],
    ['v', v],
  ] as const) {
    if (x.shape.join('x') !== kvShape.join('x')) {
      const want = `${kvShape.join('x')} (q is ${q.shape.join('x')}, layout ${time ? 'time' : 'batch'})`;
      throw invalid(`attention: ${name} has shape ${x.shape.join('x')}, expected ${want}`);
    }
  }
  const qOffset = o.qOffset ?? t - tq;
  if (tq > t || !Number.isInteger(qOffset) || qOffset < 0 || qOffset + tq > t) {
    throw invalid(`attention: ${tq} queries from position ${qOffset} do not fit ${t} keys`);
  }
  const dh = d / heads;
  // [n|T, T|n, heads, dh] -> [n, heads, T, dh] (or [n, heads, dh, T] for K), as n * heads matrices
  const split = (x: tf.Tensor3D, len: number, keys: boolean) => {
    const perm = time ? (keys ? [1, 2, 3, 0] : [1, 2, 0, 3]) : keys ? [0, 2, 3, 1] : [0, 2, 1, 3];
    const x4 = tf.reshape(x, time ? [len, n, heads, dh] : [n, len, heads, dh]);
    return tf.reshape(tf.transpose(x4, perm), keys ? [n * heads, dh, len] : [n * heads, len, dh]) as tf.Tensor3D;
  };
  // the scale goes on q, the smaller operand, before the product
  let scores = batchMatMul(split(tf.mul(q, 1 / Math.sqrt(dh)) as tf.Tensor3D, tq, false), split(k, t, true));
  if (o.causal && qOffset + 1 < t) scores = tf.add(scores, causalMask(tq, t, qOffset));
  const out = batchMatMul(tf.softmax(scores), split(v, t, false));
  // [n, heads, Tq, dh] -> back to q's layout
  const back = tf.transpose(tf.reshape(out, [n, heads, tq, dh]), time ? [2, 0, 1, 3] : [0, 2, 1, 3]);
  return tf.reshape(back, q.shape) as tf.Tensor3D;
}
