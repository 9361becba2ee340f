import { invalid } from '../../../shared/api/errors';
import { metricsLapack } from '../lapack';
import type { CollapseClasses } from './collapse-classes';
import { firstPassLapack } from './first-pass-lapack';
import type { FeatureSource, FloatMatrix, LastLayer } from './types';

/**
 * The passes over a split's features that all closed-form metrics share. Each pass reads the features
 * once, chunk by chunk, with float64 accumulators; nothing of size n x m is allocated, and n x C only
 * on the Gram route (small C).
 */

/** At most this many classes, kappa goes through G = W W^T (C x C); beyond, through the variance of W's rows per sample. */
export const GRAM_ROUTE_MAX_C = 256;
/** Rows per chunk when a split in memory is scanned. */
const CHUNK_ROWS = 4096;

/** Sums from the first pass: logits-derived terms, class sums of the collapse classes, shifted per-feature moments. */
export interface FirstPass {
  n: number;
  m: number;
  C: number;
  lossSum: number;
  correct: number;
  /** sum_i ||phi_i||^2 (sum_c G_cc p_ic - p_i^T G p_i) */
  kappaSum: number;
  /** sum_i ||phi_i||^2 sum_c p_ic (1 - p_ic) */
  traceSum: number;
  /** Gram route: softmax probabilities, n x C (float64); null on the variance route */
  probs: Float64Array | null;
  /**
   * Variance route, when kappa_sigma is wanted: A_jk = sum_i phi_ij^2 q_ik with q_ik = sum_c p_ic (W_cj - (W^T p_i)_k)^2,
   * so kappa_sigma = (1/n) sum_{j,k non-constant} A_jk sigma_k^2 / sigma_j^2 (m x m).
   */
  sigmaMoments: Float64Array | null;
  /**
   * Variance route on the BLAS, when kappa_sigma is wanted: sum_i ||phi~_i||^2 sum_k q_ik sigma_k^2 directly, the
   * feature variances coming from a pre-pass (first-pass-lapack.ts); then sigmaMoments is null.
   */
  kappaSigmaSum?: number;
  /** per sample, the argmax of the logits nc4 compares with (all C, or the collapse classes when restricted); ties to the lowest id */
  pred: Int32Array;
  cls: CollapseClasses;
  /** feature sums of the collapse classes, by slot (Cp x m) */
  classSums: Float64Array;
  /** per-feature moments about the first sample (exact zero variance for constant features) */
  shift: Float64Array;
  shiftedSum: Float64Array;
  shiftedSumSq: Float64Array;
}

const hasFeatures = (s: FeatureSource): s is FeatureSource & { features: FloatMatrix } => 'features' in s;

/** Checks shapes, labels and finiteness of the layer; throws a PlateauError naming what is wrong. */
export function checkInputs(split: FeatureSource, layer: LastLayer, name = 'split'): void {
  const { n, m, labels } = split;
  if (!Number.isSafeInteger(n) || n < 1) throw invalid(`${name}: needs at least one sample (n = ${n})`);
  if (m !== layer.m) throw invalid(`${name}: features have m = ${m} columns but the weight has ${layer.m}`);
  if (hasFeatures(split) && split.features.length !== n * m) {
    throw invalid(`${name}: features hold ${split.features.length} values, expected n x m = ${n} x ${m}`);
  }
  if (labels.length !== n) throw invalid(`${name}: ${labels.length} labels for ${n} samples`);
  if (layer.weight.length !== layer.C * m) throw invalid(`weight holds ${layer.weight.length} values, expected C x m = ${layer.C} x ${m}`);
  if (layer.bias && layer.bias.length !== layer.C) throw invalid(`bias has ${layer.bias.length} values, expected C = ${layer.C}`);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= layer.C) throw invalid(`${name}: label ${y} of sample ${i} is outside [0, ${layer.C})`);
  }
}

/** The split's rows in chunks (views of an in-memory split); a chunked source of the wrong size is an error. */
export function* rowChunks(src: FeatureSource, name = 'split'): Generator<{ start: number; rows: number; x: FloatMatrix }> {
  const { n, m } = src;
  if (hasFeatures(src)) {
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      yield { start, rows, x: src.features.subarray(start * m, (start + rows) * m) };
    }
    return;
  }
  let start = 0;
  for (const x of src.chunks()) {
    if (x.length % m !== 0) throw invalid(`${name}: a chunk holds ${x.length} values, not a whole number of rows of m = ${m}`);
    const rows = x.length / m;
    if (start + rows > n) throw invalid(`${name}: the chunks hold more than n = ${n} rows`);
    yield { start, rows, x };
    start += rows;
  }
  if (start !== n) throw invalid(`${name}: the chunks hold ${start} rows, expected n = ${n}`);
}

export const flatnessRouteFor = (C: number, route: 'auto' | 'gram' | 'variance' = 'auto'): 'gram' | 'variance' =>
  route === 'auto' ? (C <= GRAM_ROUTE_MAX_C ? 'gram' : 'variance') : route;

export interface FirstPassPlan {
  cls: CollapseClasses;
  route: 'gram' | 'variance';
  /** accumulate what kappa_sigma needs on the variance route */
  sigma: boolean;
  /** headFloat64(layer, route), when the caller shares one copy across the evaluation sets of one head */
  weight64?: Float64Array;
}

/**
 * The head as the first pass multiplies it, float64 (C x m): on the variance route its rows centred on their
 * mean. Both the variance of the rows under p (E[w^2] - E[w]^2 then stays far from cancellation) and the
 * softmax are shift-invariant, so the logits come from the centred rows too (each shifted by the same wbar . phi).
 */
export const headFloat64 = (layer: LastLayer, route: 'gram' | 'variance'): Float64Array =>
  route === 'gram' ? Float64Array.from(layer.weight) : centredRows(layer.weight, layer.C, layer.m);

export function firstPass(split: FeatureSource, layer: LastLayer, plan: FirstPassPlan, name = 'split'): FirstPass {
  const lp = metricsLapack();
  return lp ? firstPassLapack(lp, split, layer, plan, name) : firstPassJs(split, layer, plan, name);
}

/** The first pass in JS, sample by sample (the route without a system BLAS). */
export function firstPassJs(split: FeatureSource, layer: LastLayer, plan: FirstPassPlan, name = 'split'): FirstPass {
  const { n, m, labels } = split;
  const { cls, route } = plan;
  const C = layer.C;
  const b = layer.bias ? Float64Array.from(layer.bias) : new Float64Array(C);
  const gram = route === 'gram';
  const W = plan.weight64 ?? headFloat64(layer, route);
  const G = gram ? gramOf(W, C, m) : null;
  const probs = gram ? new Float64Array(n * C) : null;
  const sigmaMoments = !gram && plan.sigma ? new Float64Array(m * m) : null;
  const pred = new Int32Array(n);
  const keep = cls.restricted ? cls.classes : null;
  const classSums = new Float64Array(cls.classes.length * m);
  const shift = new Float64Array(m);
  const s1 = new Float64Array(m);
  const s2 = new Float64Array(m);
  const row = new Float64Array(m);
  const x2 = new Float64Array(m);
  const z = new Float64Array(C);
  const v = new Float64Array(m);
  const q = new Float64Array(m);
  let lossSum = 0,
    correct = 0,
    kappaSum = 0,
    traceSum = 0;
  for (const chunk of rowChunks(split, name)) {
    const x = chunk.x;
    if (chunk.start === 0 && chunk.rows > 0) for (let j = 0; j < m; j++) shift[j] = x[j]; // an empty first chunk may come first
    for (let r = 0; r < chunk.rows; r++) {
      const i = chunk.start + r;
      const off = r * m;
      const y = labels[i];
      let norm2 = 0;
      for (let j = 0; j < m; j++) {
        const val = x[off + j];
        row[j] = val;
        norm2 += val * val;
        const d = val - shift[j];
        s1[j] += d;
        s2[j] += d * d;
      }
      const a = cls.slot[y];
      if (a >= 0) for (let j = 0, o = a * m; j < m; j++) classSums[o + j] += row[j];
      let zmax = -Infinity,
        arg = 0;
      for (let c = 0; c < C; c++) {
        const wo = c * m;
        // Two accumulators break the add dependency chain; ~1.5x faster in V8.
        let a0 = 0,
          a1 = 0,
          j = 0;
        for (; j + 1 < m; j += 2) {
          a0 += W[wo + j] * row[j];
          a1 += W[wo + j + 1] * row[j + 1];
        }
        if (j < m) a0 += W[wo + j] * row[j];
        const zc = a0 + a1 + b[c];
        z[c] = zc;
        if (zc > zmax) {
          zmax = zc;
          arg = c;
        }
      }
      if (arg === y) correct++;
      pred[i] = keep ? argmaxOver(z, keep) : arg;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += z[c] = Math.exp(z[c] - zmax);
      lossSum += Math.log(sum) - Math.log(z[y]);
      let hess = 0;
      for (let c = 0; c < C; c++) {
        const p = (z[c] /= sum);
        hess += p * (1 - p);
      }
      traceSum += norm2 * hess;
      if (G && probs) {
        probs.set(z, i * C);
        kappaSum += norm2 * gramQuadratic(G, z, C);
        continue;
      }
      // q_k = sum_c p_c (W_ck - (W^T p)_k)^2: the per-feature variance of the rows of W under p.
      v.fill(0);
      q.fill(0);
      for (let c = 0; c < C; c++) {
        const p = z[c];
        if (p === 0) continue;
        const wo = c * m;
        for (let k = 0; k < m; k++) {
          const w = W[wo + k];
          v[k] += p * w;
          q[k] += p * w * w;
        }
      }
      let total = 0;
      for (let k = 0; k < m; k++) {
        q[k] = Math.max(0, q[k] - v[k] * v[k]);
        total += q[k];
      }
      kappaSum += norm2 * total;
      if (sigmaMoments) {
        for (let j = 0; j < m; j++) x2[j] = row[j] * row[j];
        for (let j = 0; j < m; j++) {
          const xj = x2[j];
          if (xj === 0) continue;
          for (let k = 0, o = j * m; k < m; k++) sigmaMoments[o + k] += xj * q[k];
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

function argmaxOver(z: Float64Array, keep: Int32Array): number {
  let best = keep[0],
    bestZ = z[best];
  for (let a = 1; a < keep.length; a++)
    if (z[keep[a]] > bestZ) {
      best = keep[a];
      bestZ = z[best];
    }
  return best;
}

/** W W^T, C x C float64. */
export function gramOf(W: ArrayLike<number>, C: number, m: number, scale?: ArrayLike<number>): Float64Array {
  const G = new Float64Array(C * C);
  for (let c = 0; c < C; c++) {
    for (let d = c; d < C; d++) {
      let s = 0;
      if (scale) for (let j = 0; j < m; j++) s += W[c * m + j] * W[d * m + j] * scale[j];
      else for (let j = 0; j < m; j++) s += W[c * m + j] * W[d * m + j];
      G[c * C + d] = G[d * C + c] = s;
    }
  }
  return G;
}

/** sum_c G_cc p_c - p^T G p. */
export function gramQuadratic(G: Float64Array, p: ArrayLike<number>, C: number): number {
  let diagTerm = 0,
    quad = 0;
  for (let c = 0; c < C; c++) {
    const pc = p[c];
    if (pc === 0) continue;
    diagTerm += G[c * C + c] * pc;
    let s = 0;
    for (let d = 0; d < C; d++) s += G[c * C + d] * p[d];
    quad += pc * s;
  }
  return diagTerm - quad;
}

/** The rows of W (C x m) minus their mean row, float64. */
export function centredRows(W: FloatMatrix, C: number, m: number): Float64Array {
  const mean = new Float64Array(m);
  for (let c = 0; c < C; c++) for (let j = 0; j < m; j++) mean[j] += W[c * m + j] / C;
  const out = new Float64Array(C * m);
  for (let c = 0; c < C; c++) for (let j = 0; j < m; j++) out[c * m + j] = W[c * m + j] - mean[j];
  return out;
}
