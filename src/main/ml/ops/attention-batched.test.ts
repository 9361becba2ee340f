import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng, normalArray } from '../data/prng';
import { hvp } from '../hessian/second-order';
import { multiHeadAttention, type AttentionOptions } from './attention';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Sizes of one case: batch n, Tq queries from position qOffset among T keys, width d. */
interface Dims {
  n: number;
  tq: number;
  t: number;
  d: number;
  heads: number;
  causal: boolean;
  qOffset: number;
}

/**
 * Attention written out per batch row, head and query position in float64 (independent of the op):
 * q [n, Tq, d], k and v [n, T, d], batch-major flat arrays; query i sits at position qOffset + i.
 */
function naive(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, s: Dims): Float64Array {
  const { n, tq, t, d, heads, causal, qOffset } = s;
  const dh = d / heads;
  const out = new Float64Array(n * tq * d);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < tq; i++) {
        const seen = causal ? qOffset + i + 1 : t;
        const w: number[] = [];
        for (let j = 0; j < seen; j++) {
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += q[(b * tq + i) * d + h * dh + c] * k[(b * t + j) * d + h * dh + c];
          w.push(dot / Math.sqrt(dh));
        }
        const max = Math.max(...w);
        const e = w.map((x) => Math.exp(x - max));
        const z = e.reduce((a, x) => a + x, 0);
        for (let c = 0; c < dh; c++) {
          let acc = 0;
          for (let j = 0; j < seen; j++) acc += (e[j] / z) * v[(b * t + j) * d + h * dh + c];
          out[(b * tq + i) * d + h * dh + c] = acc;
        }
      }
    }
  }
  return out;
}

const rng = createRng(7);
const randn = (size: number) => Float64Array.from(normalArray(rng, size));
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

/** Runs the op on batch-major data in the given layout; returns [n, Tq, d] batch-major values (float32). */
function ours(q: Float64Array, k: Float64Array, v: Float64Array, s: Dims, layout: 'batch' | 'time'): Float32Array {
  return tf.tidy(() => {
    const put = (x: Float64Array, len: number) => {
      const bt = tf.tensor3d(Float32Array.from(x), [s.n, len, s.d]);
      return layout === 'time' ? (tf.transpose(bt, [1, 0, 2]) as tf.Tensor3D) : bt;
    };
    const o: AttentionOptions = { heads: s.heads, causal: s.causal, qOffset: s.qOffset, layout };
    const y = multiHeadAttention(put(q, s.tq), put(k, s.t), put(v, s.t), o);
    return (layout === 'time' ? tf.transpose(y, [1, 0, 2]) : y).dataSync() as Float32Array;
  });
}

// T = 5 and 3 heads of width 4: nothing a power of two
const base = { n: 2, t: 5, d: 12, heads: 3 };
const cases: Dims[] = [];
for (const causal of [true, false]) {
  cases.push({ ...base, causal, tq: 5, qOffset: 0 }, { ...base, causal, tq: 2, qOffset: 3 }, { ...base, causal, tq: 1, qOffset: 2 });
}
const label = (s: Dims) => `${s.causal ? 'causal' : 'full'}, ${s.tq} queries from ${s.qOffset}`;

describe('batched multi-head attention', () => {
  it('matches a per-position float64 reference, causal or full, in both layouts, for all or some queries', () => {
    for (const s of cases) {
      const [q, k, v] = [randn(s.n * s.tq * s.d), randn(s.n * s.t * s.d), randn(s.n * s.t * s.d)];
      const ref = naive(q, k, v, s);
      for (const layout of ['batch', 'time'] as const) {
        expect(maxAbs(ours(q, k, v, s, layout), ref), `${label(s)}, ${layout}`).toBeLessThan(2e-6);
      }
    }
    // the mask matters: the first query of a causal case sees only key 0, so its output is v[0]
    const s = cases[0];
    const [q, k, v] = [randn(s.n * s.t * s.d), randn(s.n * s.t * s.d), randn(s.n * s.t * s.d)];
    expect(maxAbs(ours(q, k, v, s, 'batch').slice(0, s.d), v.slice(0, s.d))).toBeLessThan(1e-6);
  });

  it('has gradients in q, k and v equal to float64 finite differences of the reference', () => {
    for (const s of cases.filter((c) => c.tq > 1)) {
      const [q, k, v, r] = [randn(s.n * s.tq * s.d), randn(s.n * s.t * s.d), randn(s.n * s.t * s.d), randn(s.n * s.tq * s.d)];
      // loss = sum(out * r): its gradient is the vector-Jacobian product with r
      const loss = (x: Float64Array[]) => naive(x[0], x[1], x[2], s).reduce((a, o, i) => a + o * r[i], 0);
      const eps = 1e-5;
      const fd = [q, k, v].map((x, which) =>
        Float64Array.from(x, (_, e) => {
          const shifted = (y: Float64Array, h: number) => Float64Array.from(y, (yi, i) => (i === e ? yi + h : yi));
          const at = (h: number) => loss([q, k, v].map((y, w) => (w === which ? shifted(y, h) : y)));
          return (at(eps) - at(-eps)) / (2 * eps);
        }),
      );
      for (const layout of ['batch', 'time'] as const) {
        const grads = tf.tidy(() => {
          // batch-major tensors in, so the gradients come back batch-major; the op sees `layout`
          const put = (x: Float64Array, len: number) => tf.tensor3d(Float32Array.from(x), [s.n, len, s.d]);
          const lay = (x: tf.Tensor) => (layout === 'time' ? tf.transpose(x, [1, 0, 2]) : x) as tf.Tensor3D;
          const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(tf.mul(multiHeadAttention(lay(a), lay(b), lay(c), { ...s, layout }), lay(put(r, s.tq))));
          return tf
            .grads(f)([put(q, s.tq), put(k, s.t), put(v, s.t)])
            .map((g) => g.dataSync() as Float32Array);
        });
        fd.forEach((g, which) => expect(maxAbs(grads[which], g), `${label(s)}, ${layout}, input ${which}`).toBeLessThan(1e-4));
      }
      fd.forEach((g) => expect(maxAbs(g, new Float64Array(g.length))).toBeGreaterThan(1e-2)); // not vacuous
    }
  });

  it('is twice differentiable: HVPs through it are symmetric and match float64 second differences', () => {
    const s: Dims = { n: 2, tq: 5, t: 5, d: 6, heads: 2, causal: true, qOffset: 0 };
    const x = randn(s.n * s.t * s.d);
    const target = randn(s.n * s.t * s.d);
    const ws = [0, 1, 2].map(() => Float64Array.from(randn(s.d * s.d), (a) => a / Math.sqrt(s.d)));
    // loss(W) = 0.5 |attn(x Wq, x Wk, x Wv) - target|^2, in float64
    const proj = (w: Float64Array) => {
      const y = new Float64Array(s.n * s.t * s.d);
      for (let row = 0; row < s.n * s.t; row++) {
        for (let c = 0; c < s.d; c++) for (let kk = 0; kk < s.d; kk++) y[row * s.d + c] += x[row * s.d + kk] * w[kk * s.d + c];
      }
      return y;
    };
    const lossRef = (w: Float64Array[]) =>
      naive(proj(w[0]), proj(w[1]), proj(w[2]), s).reduce((a, o, i) => a + 0.5 * (o - target[i]) ** 2, 0);
    const vars = ws.map((w) => tf.variable(tf.tensor2d(Float32Array.from(w), [s.d, s.d])));
    const xt = tf.tensor2d(Float32Array.from(x), [s.n * s.t, s.d]);
    const tt = tf.tensor3d(Float32Array.from(target), [s.n, s.t, s.d]);
    const lossFn = () => {
      const [q, k, v] = vars.map((w) => tf.reshape(tf.matMul(xt, w), [s.n, s.t, s.d]) as tf.Tensor3D);
      return tf.mul(0.5, tf.sum(tf.square(tf.sub(multiHeadAttention(q, k, v, s), tt)))) as tf.Scalar;
    };
    const dirs = [0, 1].map(() => ws.map(() => randn(s.d * s.d)));
    const [u, v] = dirs.map((dir) => dir.map((a) => tf.tensor2d(Float32Array.from(a), [s.d, s.d])));
    const [hu, hv] = [u, v].map((dir) => hvp(lossFn, vars, dir));
    const dot = (a: tf.Tensor[], b: tf.Tensor[]) => a.reduce((acc, t, i) => acc + tf.tidy(() => tf.sum(tf.mul(t, b[i])).dataSync()[0]), 0);
    const uHv = dot(u, hv);
    // u.H v = d^2 L(W + a u + b v) / da db, by a central second difference in float64
    const eps = 1e-3;
    const at = (a: number, b: number) => lossRef(ws.map((w, p) => w.map((wi, e) => wi + a * dirs[0][p][e] + b * dirs[1][p][e])));
    const fd = (at(eps, eps) - at(eps, -eps) - at(-eps, eps) + at(-eps, -eps)) / (4 * eps * eps);
    const vHvFd = (at(0, eps) - 2 * at(0, 0) + at(0, -eps)) / (eps * eps);
    expect(Math.abs(fd)).toBeGreaterThan(1e-1);
    expect(Math.abs(uHv - dot(v, hu))).toBeLessThan(1e-4 * Math.abs(uHv));
    expect(Math.abs(uHv - fd)).toBeLessThan(1e-3 * Math.abs(fd));
    expect(Math.abs(dot(v, hv) - vHvFd)).toBeLessThan(1e-3 * Math.abs(vHvFd));
    tf.dispose([...vars, xt, tt, ...u, ...v, ...hu, ...hv]);
  });

  it('names the problem in bad shapes', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 5, 12]) as tf.Tensor3D;
      expect(() => multiHeadAttention(x, x, x, { heads: 5, causal: true })).toThrow(/heads=5 must divide the width 12/);
      const o = { heads: 3, causal: true };
      expect(() => multiHeadAttention(x, tf.zeros([2, 5, 8]) as tf.Tensor3D, x, o)).toThrow(/k has shape 2x5x8, expected 2x5x12/);
      expect(() => multiHeadAttention(x, x, tf.zeros([2, 4, 12]) as tf.Tensor3D, o)).toThrow(/v has shape 2x4x12, expected 2x5x12/);
      expect(() => multiHeadAttention(x, x, x, { ...o, qOffset: 1 })).toThrow(/5 queries from position 1 do not fit 5 keys/);
    });
  });
});
