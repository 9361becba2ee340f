import { invalid } from '../../../shared/api/errors';
import { createRng, type Rng } from '../data/prng';
import { dot, norm, orthogonalize, scaled, type HessianOperator } from './operator';

/** How an iterative estimate ended; recorded with every result (METRICS.md: reproducible from seed). */
export interface RunInfo {
  seed: number;
  /** Operator applications (HVPs over the whole split) used. */
  iterations: number;
  /** The stopping rule was met before the iteration cap. */
  converged: boolean;
}

export interface IterOptions {
  seed?: number;
  /** Relative-change tolerance (METRICS.md: 1e-3). */
  tol?: number;
  /** Iteration cap (METRICS.md: 100). */
  maxIter?: number;
}

export const DEFAULT_TOL = 1e-3;
export const DEFAULT_MAX_ITER = 100;

/** PyHessian's relative change, with its 1e-6 guard against a zero denominator. */
const relChange = (next: number, prev: number) => Math.abs(next - prev) / (Math.abs(prev) + 1e-6);

export function normalVector(rng: Rng, dim: number): Float64Array {
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rng.normal();
  return v;
}

export function rademacherVector(rng: Rng, dim: number): Float64Array {
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
  return v;
}

function checkIter(opts: IterOptions): { seed: number; tol: number; maxIter: number } {
  const seed = opts.seed ?? 0;
  const tol = opts.tol ?? DEFAULT_TOL;
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  if (!Number.isFinite(seed)) throw invalid('seed must be a finite number', { field: 'seed', value: seed });
  if (!(tol > 0)) throw invalid('tol must be > 0', { field: 'tol', value: tol });
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw invalid('maxIter must be an integer >= 1', { field: 'maxIter', value: maxIter });
  return { seed, tol, maxIter };
}

export interface EigResult extends RunInfo {
  value: number;
  /** Unit eigenvector estimate (flattened parameters). */
  vector: Float64Array;
}

/**
 * Power iteration: v <- Hv/|Hv| from a seeded Gaussian unit start, deflated against `found`
 * (orthonormal eigenvectors already extracted). Like PyHessian it converges to the eigenvalue of
 * largest magnitude; at the points we measure that is the top (positive) one.
 */
function powerIteration(
  op: HessianOperator,
  rng: Rng,
  found: readonly Float64Array[],
  tol: number,
  maxIter: number,
  seed: number,
): EigResult {
  let v = normalVector(rng, op.dim);
  orthogonalize(v, found);
  v = scaled(v, 1 / norm(v));
  let value = NaN;
  for (let it = 1; it <= maxIter; it++) {
    const hv = op.apply(v);
    // Rayleigh quotient of the current unit vector
    const next = dot(v, hv);
    orthogonalize(hv, found);
    const len = norm(hv);
    const prev = value;
    value = next;
    if (len === 0) return { value, vector: v, seed, iterations: it, converged: true };
    v = scaled(hv, 1 / len);
    if (it > 1 && relChange(value, prev) < tol) return { value, vector: v, seed, iterations: it, converged: true };
  }
  return { value, vector: v, seed, iterations: maxIter, converged: false };
}

/** METRICS.md `hessian_top_eig`. */
export function hessianTopEig(op: HessianOperator, opts: IterOptions = {}): EigResult {
  const { seed, tol, maxIter } = checkIter(opts);
  const first = powerIteration(op, createRng(seed), [], tol, maxIter, seed);
  if (first.value >= 0) return first;
  // Power iteration finds the eigenvalue of largest magnitude. When that one is negative (early in
  // training, or at a saddle), the largest eigenvalue is the top of H - first*I, shifted back.
  const shift = first.value;
  const shifted: HessianOperator = {
    dim: op.dim,
    apply: (v) => {
      const hv = op.apply(v);
      for (let i = 0; i < hv.length; i++) hv[i] -= shift * v[i];
      return hv;
    },
  };
  const top = powerIteration(shifted, createRng(seed), [], tol, maxIter, seed);
  return { ...top, value: top.value + shift, iterations: first.iterations + top.iterations, converged: first.converged && top.converged };
}

export interface EigsResult extends RunInfo {
  values: number[];
  vectors: Float64Array[];
  /** Iterations and convergence of each eigenpair. */
  each: { iterations: number; converged: boolean }[];
}

/**
 * METRICS.md `hessian_top_eigs`: k power iterations, each deflated against the eigenvectors found
 * before it; the first one is exactly `hessianTopEig` with the same seed.
 */
export function hessianTopEigs(op: HessianOperator, k: number, opts: IterOptions = {}): EigsResult {
  const { seed, tol, maxIter } = checkIter(opts);
  if (!(Number.isInteger(k) && k >= 1 && k <= op.dim)) throw invalid(`k must be an integer in [1, ${op.dim}]`, { field: 'k', value: k });
  const rng = createRng(seed);
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const each: { iterations: number; converged: boolean }[] = [];
  for (let i = 0; i < k; i++) {
    const r = powerIteration(op, rng, vectors, tol, maxIter, seed);
    values.push(r.value);
    // re-orthogonalise against earlier vectors (the last Hv may have drifted back in float32 rounding)
    orthogonalize(r.vector, vectors);
    vectors.push(scaled(r.vector, 1 / norm(r.vector)));
    each.push({ iterations: r.iterations, converged: r.converged });
  }
  return {
    values,
    vectors,
    each,
    seed,
    iterations: each.reduce((s, e) => s + e.iterations, 0),
    converged: each.every((e) => e.converged),
  };
}

export interface TraceResult extends RunInfo {
  value: number;
  /** Sample std of the per-vector estimates / sqrt(count): the Monte-Carlo error of `value`. */
  stderr: number;
}

/**
 * Hutchinson estimate of E[z^T A z] over probes `probe(rng)` (Rademacher by default, giving Tr H),
 * stopping when the running mean changes by < tol relative, or after maxIter probes. Shared with
 * the layer-kappa estimator, which uses structured probes.
 */
export function hutchinson(op: HessianOperator, opts: IterOptions = {}, probe?: (rng: Rng) => Float64Array): TraceResult {
  const { seed, tol, maxIter } = checkIter(opts);
  const rng = createRng(seed);
  const draw = probe ?? ((r: Rng) => rademacherVector(r, op.dim));
  let sum = 0;
  let sumSq = 0;
  let mean = NaN;
  for (let it = 1; it <= maxIter; it++) {
    const z = draw(rng);
    const q = dot(z, op.apply(z));
    sum += q;
    sumSq += q * q;
    const prev = mean;
    mean = sum / it;
    if (it > 1 && relChange(mean, prev) < tol)
      return { value: mean, stderr: stderr(sum, sumSq, it), seed, iterations: it, converged: true };
  }
  return { value: mean, stderr: stderr(sum, sumSq, maxIter), seed, iterations: maxIter, converged: false };
}

function stderr(sum: number, sumSq: number, k: number): number {
  if (k < 2) return NaN;
  const variance = Math.max(0, (sumSq - (sum * sum) / k) / (k - 1));
  return Math.sqrt(variance / k);
}

/** METRICS.md `hessian_trace_hutch`: Rademacher Hutchinson trace of the Hessian. */
export function hessianTraceHutchinson(op: HessianOperator, opts: IterOptions = {}): TraceResult {
  return hutchinson(op, opts);
}
