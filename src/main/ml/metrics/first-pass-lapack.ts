import type { Lapack } from '../lapack';
import { centredRows, rowChunks, type FirstPass, type FirstPassPlan } from './feature-scan';
import type { FeatureSource, LastLayer } from './types';

/**
 * The first pass (feature-scan.ts) on the system BLAS, block by block: Z = X W^T as one dgemm, the
 * softmax fused natively, and the kappa terms as products of the block's probabilities, in place of
 * per-sample JS loops over C x m. The same sums in float64, in another order (equal to rounding).
 */

/** A block's logits/probabilities hold at most this many float64 values (128 MiB), as NumPy's chunked reference does. */
const BLOCK_VALUES = 1 << 24;
const MAX_BLOCK_ROWS = 4096;

export function firstPassLapack(lp: Lapack, split: FeatureSource, layer: LastLayer, plan: FirstPassPlan, name = 'split'): FirstPass {
  const { n, m } = split;
  const { cls, route } = plan;
  const C = layer.C;
  const labels = split.labels instanceof Int32Array ? split.labels : Int32Array.from(split.labels);
  const b = layer.bias ? Float64Array.from(layer.bias) : new Float64Array(C);
  const gram = route === 'gram';
  const sigma = !gram && plan.sigma;
  // Variance route: rows of W centred (see feature-scan.ts); with kappa_sigma, [W | W∘W] (C x 2m) so that
  // one product gives E_p[w] and E_p[w^2] per feature. Z reads the first m columns of either layout.
  let W: Float64Array;
  if (gram) W = Float64Array.from(layer.weight);
  else if (!sigma) W = centredRows(layer.weight, C, m);
  else {
    const wc = centredRows(layer.weight, C, m);
    W = new Float64Array(C * 2 * m);
    for (let c = 0; c < C; c++) {
      for (let j = 0, o = c * 2 * m; j < m; j++) {
        const w = wc[c * m + j];
        W[o + j] = w;
        W[o + m + j] = w * w;
      }
    }
  }
  const ldW = sigma ? 2 * m : m;
  let G: Float64Array | null = null;
  let wn2: Float64Array | null = null;
  if (gram) {
    G = new Float64Array(C * C);
    lp.dsyrk(0, C, m, 1, W, 0, G);
  } else if (!sigma) {
    wn2 = new Float64Array(C);
    for (let c = 0; c < C; c++) for (let j = 0; j < m; j++) wn2[c] += W[c * m + j] ** 2;
  }
  const B = Math.max(1, Math.min(MAX_BLOCK_ROWS, n, Math.floor(BLOCK_VALUES / C)));
  const X = new Float64Array(B * m);
  const Z = new Float64Array(B * C);
  const out = new Float64Array(B * 3);
  const norm2 = new Float64Array(B);
  const T = new Float64Array(B * (gram ? C : sigma ? 2 * m : m)); // P G, or P [W | W∘W], or P W
  const pw = wn2 ? new Float64Array(B) : null;
  const Q = sigma ? new Float64Array(B * m) : null;
  const probs = gram ? new Float64Array(n * C) : null;
  const sigmaMoments = sigma ? new Float64Array(m * m) : null;
  const pred = new Int32Array(n);
  const keep = cls.restricted ? cls.classes : null;
  const classSums = new Float64Array(cls.classes.length * m);
  const shift = new Float64Array(m);
  const s1 = new Float64Array(m);
  const s2 = new Float64Array(m);
  let lossSum = 0,
    correct = 0,
    kappaSum = 0,
    traceSum = 0;
  for (const chunk of rowChunks(split, name)) {
    const x = chunk.x;
    if (chunk.start === 0 && chunk.rows > 0) for (let j = 0; j < m; j++) shift[j] = x[j];
    for (let r0 = 0; r0 < chunk.rows; r0 += B) {
      const rows = Math.min(B, chunk.rows - r0);
      const i0 = chunk.start + r0;
      X.set(x.subarray(r0 * m, (r0 + rows) * m));
      for (let r = 0; r < rows; r++) {
        const off = r * m;
        let s = 0;
        for (let j = 0; j < m; j++) {
          const val = X[off + j];
          s += val * val;
          const d = val - shift[j];
          s1[j] += d;
          s2[j] += d * d;
        }
        norm2[r] = s;
        const a = cls.slot[labels[i0 + r]];
        if (a >= 0) for (let j = 0, o = a * m; j < m; j++) classSums[o + j] += X[off + j];
      }
      lp.dgemm(0, 1, rows, C, m, 1, X, W, 0, Z, m, ldW, C);
      if (keep) {
        for (let r = 0; r < rows; r++) {
          const zo = r * C;
          let best = keep[0],
            bestZ = Z[zo + best] + b[best];
          for (let a = 1; a < keep.length; a++) {
            const c = keep[a];
            const zc = Z[zo + c] + b[c];
            if (zc > bestZ) {
              best = c;
              bestZ = zc;
            }
          }
          pred[i0 + r] = best;
        }
      }
      lp.softmaxRows(Z, rows, C, b, labels.subarray(i0, i0 + rows), out);
      for (let r = 0; r < rows; r++) {
        const arg = out[3 * r];
        if (arg === labels[i0 + r]) correct++;
        if (!keep) pred[i0 + r] = arg;
        lossSum += out[3 * r + 1];
        traceSum += norm2[r] * out[3 * r + 2];
      }
      if (G && probs) {
        probs.set(Z.subarray(0, rows * C), i0 * C);
        // sum_c G_cc p_c - p^T G p, with G p for the block as one product
        lp.dgemm(0, 0, rows, C, C, 1, Z, G, 0, T);
        for (let r = 0; r < rows; r++) {
          let q = 0;
          for (let c = 0, o = r * C; c < C; c++) q += Z[o + c] * (G[c * C + c] - T[o + c]);
          kappaSum += norm2[r] * q;
        }
      } else if (Q && sigmaMoments) {
        lp.dgemm(0, 0, rows, 2 * m, C, 1, Z, W, 0, T);
        for (let r = 0; r < rows; r++) {
          let total = 0;
          for (let k = 0, o = 2 * r * m; k < m; k++) {
            const v = T[o + k];
            const q = Math.max(0, T[o + m + k] - v * v);
            Q[r * m + k] = q;
            total += q;
          }
          kappaSum += norm2[r] * total;
        }
        // A += (X∘X)^T Q: the features squared in place (X is not read again in this block)
        for (let i = 0; i < rows * m; i++) X[i] *= X[i];
        lp.dgemm(1, 0, m, m, rows, 1, X, Q, 1, sigmaMoments);
      } else if (wn2 && pw) {
        // sum_k q_k = sum_c p_c ||w_c||^2 - ||W^T p||^2
        lp.dgemm(0, 0, rows, m, C, 1, Z, W, 0, T);
        lp.dgemm(0, 0, rows, 1, C, 1, Z, wn2, 0, pw);
        for (let r = 0; r < rows; r++) {
          let v2 = 0;
          for (let k = 0, o = r * m; k < m; k++) v2 += T[o + k] * T[o + k];
          kappaSum += norm2[r] * Math.max(0, pw[r] - v2);
        }
      }
    }
  }
  return {
    n,
    m,
    C,
    lossSum,
    correct,
    kappaSum,
    traceSum,
    probs,
    sigmaMoments,
    pred,
    cls,
    classSums,
    shift,
    shiftedSum: s1,
    shiftedSumSq: s2,
  };
}
