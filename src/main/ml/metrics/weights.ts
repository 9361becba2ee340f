import { invalid } from '../../../shared/api/errors';
import { keysOfProducer } from '../../../shared/domain/metrics';
import { colGram, rowGram, sumSquares, symmetricEigenvalues } from './linalg';
import { put, type FloatMatrix, type MetricBag } from './types';

/** The weights-only keys, from the metric registry. */
export const WEIGHT_KEYS: readonly string[] = keysOfProducer('weights-only');

/** Eigenvalues at or below this fraction of the largest count as zero (rank deficiency) in ww_alpha. */
const ZERO_EIGEN = 1e-10;

/**
 * Eigenvalues of W^T W / N for a rows x cols matrix, N = max(rows, cols), descending. Uses the smaller
 * Gram matrix (its non-zero spectrum is the same), formed by dsyrk and solved by LAPACK dsyevd where the
 * system library has them (linalg.ts), else in JS.
 */
export function weightEigenvalues(weight: ArrayLike<number>, rows: number, cols: number): Float64Array {
  return weightSpectrum(weight, rows, cols).values;
}

/** The eigenvalues above and the Gram's trace, ||W||_F^2 (so no separate pass over W is needed for it). */
function weightSpectrum(weight: ArrayLike<number>, rows: number, cols: number): { values: Float64Array; fro2: number } {
  const k = Math.min(rows, cols);
  const gram = rows <= cols ? rowGram(weight, rows, cols) : colGram(weight, rows, cols);
  let fro2 = 0;
  for (let i = 0; i < k; i++) fro2 += gram[i * k + i];
  const values = symmetricEigenvalues(gram, k);
  const N = Math.max(rows, cols);
  return { values: values.map((v) => Math.max(0, v) / N), fro2 };
}

/**
 * Power-law exponent of the eigenvalues: for each candidate x_min (every distinct eigenvalue with at
 * least one larger one), the continuous Hill/MLE alpha = 1 + k / sum ln(x / x_min) over the k values
 * >= x_min, scored by the two-sided Kolmogorov-Smirnov distance between the tail's empirical CDF and
 * 1 - (x / x_min)^(1 - alpha). The fit with the smallest distance wins (ties: the smaller x_min).
 * Scale-free, so the 1/N normalisation does not change it.
 */
export function powerLawAlpha(eigenvalues: ArrayLike<number>): { alpha: number; xmin: number; ks: number } | string {
  const all = Array.from(eigenvalues).sort((a, b) => a - b);
  const top = all[all.length - 1] ?? 0;
  const xs = all.filter((x) => x > ZERO_EIGEN * top);
  if (xs.length < 3) return `needs at least 3 non-zero eigenvalues (found ${xs.length})`;
  let best: { alpha: number; xmin: number; ks: number } | null = null;
  // ln x once per value: ln(x / x_min) = ln x - ln x_min (the same to rounding), no log per (x_min, x) pair
  const lnx = xs.map(Math.log);
  const logs = new Float64Array(xs.length); // ln(x / x_min) of the tail, reused by the KS distance
  for (let start = 0; start < xs.length - 1; start++) {
    if (start > 0 && xs[start] === xs[start - 1]) continue;
    const xmin = xs[start];
    const k = xs.length - start;
    const l0 = lnx[start];
    let logSum = 0;
    for (let i = start; i < xs.length; i++) logSum += logs[i - start] = lnx[i] - l0;
    if (!(logSum > 0)) continue;
    const alpha = 1 + k / logSum;
    let ks = 0;
    for (let i = 0; i < k; i++) {
      // (x / x_min)^(1 - alpha) as exp((1 - alpha) ln(x / x_min)): the same to rounding, and no pow per value
      const cdf = 1 - Math.exp((1 - alpha) * logs[i]);
      ks = Math.max(ks, (i + 1) / k - cdf, cdf - i / k);
    }
    if (!best || ks < best.ks) best = { alpha, xmin, ks };
  }
  return best ?? 'all non-zero eigenvalues are equal, so no power law can be fitted';
}

/** Weights-only metrics of one 2-D matrix (rows x cols); `init` (same shape) enables dist_from_init. */
export function weightMetrics(
  weight: FloatMatrix,
  rows: number,
  cols: number,
  options: { init?: FloatMatrix | null; keys?: ReadonlySet<string> } = {},
): MetricBag {
  if (weight.length !== rows * cols) throw invalid(`weight holds ${weight.length} values, expected ${rows} x ${cols}`);
  const wanted = options.keys ?? new Set<string>(WEIGHT_KEYS);
  const bag: MetricBag = { values: {}, omitted: {} };
  const spectral = wanted.has('spectral_norm') || wanted.has('stable_rank') || wanted.has('ww_alpha');
  const spectrum = spectral ? weightSpectrum(weight, rows, cols) : null;
  const fro2 = spectrum ? spectrum.fro2 : sumSquares(weight);
  if (wanted.has('fro_norm')) put(bag, 'fro_norm', Math.sqrt(fro2));
  if (spectrum) {
    const eig = spectrum.values;
    const top = eig[0] * Math.max(rows, cols);
    if (wanted.has('spectral_norm')) put(bag, 'spectral_norm', Math.sqrt(top));
    if (wanted.has('stable_rank')) put(bag, 'stable_rank', top > 0 ? fro2 / top : 'the weight matrix is zero');
    if (wanted.has('ww_alpha')) {
      const fit = powerLawAlpha(eig);
      put(bag, 'ww_alpha', typeof fit === 'string' ? fit : fit.alpha);
    }
  }
  if (wanted.has('dist_from_init')) {
    const init = options.init;
    if (!init) put(bag, 'dist_from_init', 'no initial weights given');
    else {
      if (init.length !== weight.length) throw invalid(`initial weight holds ${init.length} values, expected ${rows} x ${cols}`);
      let s = 0;
      for (let i = 0; i < weight.length; i++) s += (weight[i] - init[i]) ** 2;
      put(bag, 'dist_from_init', Math.sqrt(s));
    }
  }
  return bag;
}
