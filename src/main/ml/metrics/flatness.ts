import { sumSquares } from './linalg';
import { gramOf, type FirstPass } from './feature-scan';
import type { SecondPass } from './second-pass';
import { put, type LastLayer, type MetricBag } from './types';

/** A feature whose population std is below this is constant (METRICS.md, kappa_sigma). */
export const CONSTANT_FEATURE_STD = 1e-12;

/** The per-feature moments the variances come from (the first pass's, or a pre-pass's). */
type Moments = Pick<FirstPass, 'n' | 'm' | 'shiftedSum' | 'shiftedSumSq'>;

/** Population variance per feature from the shifted moments of the first pass (ddof 0). */
export function featureVariances(first: Moments): Float64Array {
  const { n, m, shiftedSum, shiftedSumSq } = first;
  const v = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const mean = shiftedSum[j] / n;
    v[j] = Math.max(0, shiftedSumSq[j] / n - mean * mean);
  }
  return v;
}

/** 1/sigma_j^2 per feature; 0 for constant features, which are folded into the bias and so drop out of ||phi~||^2 and W~. */
export function inverseVariances(first: Moments): { variance: Float64Array; invVar: Float64Array } {
  const variance = featureVariances(first);
  const invVar = variance.map((v) => (Math.sqrt(v) < CONSTANT_FEATURE_STD ? 0 : 1 / v));
  return { variance, invVar };
}

/** What the second pass needs for kappa_sigma on the Gram route: 1/sigma_j^2 and G~ = W~ W~^T. */
export function sigmaPlan(first: FirstPass, layer: LastLayer): { invVar: Float64Array; gramSigma: Float64Array } {
  const { variance, invVar } = inverseVariances(first);
  const scale = variance.map((v, j) => (invVar[j] === 0 ? 0 : v));
  return { invVar, gramSigma: gramOf(layer.weight, first.C, first.m, scale) };
}

/** kappa_sigma on the variance route: (1/n) sum_{j,k non-constant} A_jk sigma_k^2 / sigma_j^2. */
function kappaSigmaFromMoments(first: FirstPass, A: Float64Array): number {
  const { m, n } = first;
  const { variance, invVar } = inverseVariances(first);
  let s = 0;
  for (let j = 0; j < m; j++) {
    if (invVar[j] === 0) continue;
    let row = 0;
    for (let k = 0; k < m; k++) if (invVar[k] !== 0) row += A[j * m + k] * variance[k];
    s += row * invVar[j];
  }
  return s / n;
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
  if (wanted.has('kappa_sigma')) {
    if (first.sigmaMoments) put(bag, 'kappa_sigma', kappaSigmaFromMoments(first, first.sigmaMoments));
    else if (first.kappaSigmaSum !== undefined) put(bag, 'kappa_sigma', first.kappaSigmaSum / n);
    else if (second) put(bag, 'kappa_sigma', second.kappaSigmaSum / n);
  }
  return bag;
}
