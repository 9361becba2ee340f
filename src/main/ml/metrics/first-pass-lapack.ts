import type { Lapack } from '../lapack';
import { headFloat64, rowChunks, type FirstPass, type FirstPassPlan } from './feature-scan';
import { inverseVariances } from './flatness';
import type { FeatureSource, LastLayer } from './types';

/**
 * The first pass (feature-scan.ts) on the system BLAS, block by block: Z = X W^T as one dgemm, the
 * softmax fused natively, and the kappa terms from products of the block's probabilities, in place of
 * per-sample JS loops over C x m. The same sums in float64, in another order (equal to rounding).
 *
 * Variance route: sum_k q_k s_k with q_k = E_p[w_k^2] - E_p[w_k]^2 is p . (W∘W) s - ||(W^T p)∘sqrt(s)||^2, so
 * kappa (s = 1) and kappa_sigma (s = sigma^2, the features' variances from a pre-pass) need one C x m product
 * per block, W^T p, besides the logits: no [W | W∘W] and no m x m moments.
 */

/**
 * A block's logits/probabilities hold at most this many float64 values (64 MiB): at C = 50 257 that is 166 rows,
 * still one large dgemm each, and the block stays well under the head's own float64 copy (the memory bound).
 */
const BLOCK_VALUES = 1 << 23;
const MAX_BLOCK_ROWS = 4096;

interface Moments {
  shift: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
}

/** Per-feature moments about the first sample, as the first pass takes them (so the variances are the same). */
function featureMoments(split: FeatureSource, m: number, name: string): Moments {
  const shift = new Float64Array(m);
  const s1 = new Float64Array(m);
  const s2 = new Float64Array(m);
  for (const chunk of rowChunks(split, name)) {
    const x = chunk.x;
    if (chunk.start === 0 && chunk.rows > 0) for (let j = 0; j < m; j++) shift[j] = x[j];
    for (let i = 0; i < chunk.rows * m; i += m) {
      for (let j = 0; j < m; j++) {
        const d = x[i + j] - shift[j];
        s1[j] += d;
        s2[j] += d * d;
      }
    }
  }
  return { shift, s1, s2 };
}

export function firstPassLapack(lp: Lapack, split: FeatureSource, layer: LastLayer, plan: FirstPassPlan, name = 'split'): FirstPass {
  const { n, m } = split;
  const { cls, route } = plan;
  const C = layer.C;
  const labels = split.labels instanceof Int32Array ? split.labels : Int32Array.from(split.labels);
  const b = layer.bias ? Float64Array.from(layer.bias) : new Float64Array(C);
  const gram = route === 'gram';
  const pre = !gram && plan.sigma ? featureMoments(split, m, name) : null;
  const inv = pre ? inverseVariances({ n, m, shiftedSum: pre.s1, shiftedSumSq: pre.s2 }) : null;
  // Variance route: rows of W centred (see feature-scan.ts). ws = [||w_c||^2, sum_k s_k w_ck^2] per class.
  const W = plan.weight64 ?? headFloat64(layer, route);
  const scale = inv ? inv.variance.map((v, k) => (inv.invVar[k] === 0 ? 0 : v)) : null;
  let G: Float64Array | null = null;
  let ws: Float64Array | null = null;
  if (gram) {
    G = new Float64Array(C * C);
    lp.dsyrk(0, C, m, 1, W, 0, G);
  } else {
    ws = new Float64Array(C * 2);
    for (let c = 0; c < C; c++) {
      let a = 0,
        s = 0;
      for (let j = 0, o = c * m; j < m; j++) {
        const w2 = W[o + j] * W[o + j];
        a += w2;
        if (scale) s += w2 * scale[j];
      }
      ws[2 * c] = a;
      ws[2 * c + 1] = s;
    }
  }
  const B = Math.max(1, Math.min(MAX_BLOCK_ROWS, n, Math.floor(BLOCK_VALUES / C)));
  const X = new Float64Array(B * m);
  const Z = new Float64Array(B * C);
  const out = new Float64Array(B * 3);
  const norm2 = new Float64Array(B);
  const T = new Float64Array(B * (gram ? C : m)); // P G, or W^T p per row
  const pw = new Float64Array(B * 2);
  const probs = gram ? new Float64Array(n * C) : null;
  const pred = new Int32Array(n);
  const keep = cls.restricted ? cls.classes : null;
  const classSums = new Float64Array(cls.classes.length * m);
  const { shift, s1, s2 } = pre ?? { shift: new Float64Array(m), s1: new Float64Array(m), s2: new Float64Array(m) };
  let lossSum = 0,
    correct = 0,
    kappaSum = 0,
    kappaSigmaSum = 0,
    traceSum = 0;
  for (const chunk of rowChunks(split, name)) {
    const x = chunk.x;
    if (!pre && chunk.start === 0 && chunk.rows > 0) for (let j = 0; j < m; j++) shift[j] = x[j];
    for (let r0 = 0; r0 < chunk.rows; r0 += B) {
      const rows = Math.min(B, chunk.rows - r0);
      const i0 = chunk.start + r0;
      X.set(x.subarray(r0 * m, (r0 + rows) * m));
      for (let r = 0; r < rows; r++) {
        const off = r * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += X[off + j] * X[off + j];
        norm2[r] = s;
        if (!pre) {
          for (let j = 0; j < m; j++) {
            const d = X[off + j] - shift[j];
            s1[j] += d;
            s2[j] += d * d;
          }
        }
        const a = cls.slot[labels[i0 + r]];
        if (a >= 0) for (let j = 0, o = a * m; j < m; j++) classSums[o + j] += X[off + j];
      }
      lp.dgemm(0, 1, rows, C, m, 1, X, W, 0, Z);
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
      } else if (ws) {
        lp.dgemm(0, 0, rows, m, C, 1, Z, W, 0, T);
        lp.dgemm(0, 0, rows, 2, C, 1, Z, ws, 0, pw);
        for (let r = 0; r < rows; r++) {
          let v2 = 0,
            vs2 = 0;
          for (let k = 0, o = r * m; k < m; k++) {
            const v = T[o + k] * T[o + k];
            v2 += v;
            if (scale) vs2 += v * scale[k];
          }
          kappaSum += norm2[r] * Math.max(0, pw[2 * r] - v2);
          if (inv) {
            let ns = 0;
            for (let j = 0, off = r * m; j < m; j++) ns += X[off + j] * X[off + j] * inv.invVar[j];
            kappaSigmaSum += ns * Math.max(0, pw[2 * r + 1] - vs2);
          }
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
    sigmaMoments: null,
    ...(inv ? { kappaSigmaSum } : {}),
    pred,
    cls,
    classSums,
    shift,
    shiftedSum: s1,
    shiftedSumSq: s2,
  };
}
