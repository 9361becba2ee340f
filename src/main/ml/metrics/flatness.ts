import { sumSquares } from './linalg';
import type { FirstPass, SecondPass } from './feature-scan';
import { put, type LastLayer, type MetricBag } from './types';

/** A feature whose population std is below this is constant (METRICS.md, kappa_sigma). */
export const CONSTANT_FEATURE_STD = 1e-12;

/** Population variance per feature from the shifted moments of the first pass (ddof 0). */
export function featureVariances(first: FirstPass): Float64Array {
  const { n, m, shiftedSum, shiftedSumSq } = first;
  const v = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const mean = shiftedSum[j] / n;
    v[j] = Math.max(0, shiftedSumSq[j] / n - mean * mean);
  }
  return v;
}

/**
 * What the second pass needs for kappa_sigma: 1/sigma_j^2 per feature (0 for constant features,
 * which are folded into the bias and so drop out of both ||phi~||^2 and W~), and G~ = W~ W~^T.
 */
export function sigmaPlan(first: FirstPass, layer: LastLayer): { invVar: Float64Array; gramSigma: Float64Array } {
  const { m, C } = first;
  const variance = featureVariances(first);
  const invVar = new Float64Array(m);
  for (let j = 0; j < m; j++) invVar[j] = Math.sqrt(variance[j]) < CONSTANT_FEATURE_STD ? 0 : 1 / variance[j];
  const W = layer.weight;
  const gramSigma = new Float64Array(C * C);
  for (let c = 0; c < C; c++) {
    for (let d = c; d < C; d++) {
      let s = 0;
      for (let j = 0; j < m; j++) if (invVar[j] !== 0) s += W[c * m + j] * W[d * m + j] * variance[j];
      gramSigma[c * C + d] = gramSigma[d * C + c] = s;
    }
  }
  return { invVar, gramSigma };
}

/** Finalises the flatness family; `second` is needed only for kappa_sigma. */
export function flatnessFromPasses(first: FirstPass, second: SecondPass | null, layer: LastLayer, wanted: ReadonlySet<string>): MetricBag {
  const bag: MetricBag = { values: {}, omitted: {} };
  const { n, m } = first;
  const kappa = first.kappaSum / n;
  const trace = first.traceSum / n;
  if (wanted.has('kappa')) put(bag, 'kappa', kappa);
  if (wanted.has('kappa_fam')) put(bag, 'kappa_fam', kappa / m);
  if (wanted.has('hessian_trace')) put(bag, 'hessian_trace', trace);
  if (wanted.has('flatness_bound')) put(bag, 'flatness_bound', sumSquares(layer.weight) * trace);
  if (wanted.has('kappa_sigma') && second) put(bag, 'kappa_sigma', second.kappaSigmaSum / n);
  return bag;
}
