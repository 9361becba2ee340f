import { invalid } from '../../../shared/api/errors';
import { createRng } from '../data/prng';
import { symmetricEigen } from '../metrics/linalg';
import { axpy, dot, norm, scaled, type HessianOperator } from './operator';
import { rademacherVector, type RunInfo } from './spectral';

export interface EsdOptions {
  seed?: number;
  /** Lanczos steps per run (capped at the dimension). */
  steps?: number;
  /** Independent random starts averaged together. */
  runs?: number;
  /** Gaussian smoothing std; default 1% of the Ritz-value range (or of |node| when the range is 0). */
  sigma?: number;
  /** Grid points of the density. */
  bins?: number;
}

export interface EsdResult extends RunInfo {
  /** Evenly spaced points covering the Ritz values with 5 sigma either side. */
  grid: number[];
  /** Smoothed density at the grid points; integrates to ~1 over the grid. */
  density: number[];
  /** Ritz values of all runs and their quadrature weights (sum to 1 over all runs). */
  nodes: number[];
  weights: number[];
  sigma: number;
  steps: number;
  runs: number;
}

export const DEFAULT_ESD_STEPS = 30;
export const DEFAULT_ESD_BINS = 200;

/**
 * m-step Lanczos from unit start `q0`, with full re-orthogonalisation against every previous vector
 * (done twice: once is not enough in finite precision once Ritz values converge). Returns the
 * tridiagonal matrix's diagonal and off-diagonal; stops early if the Krylov space is exhausted.
 */
export function lanczos(op: HessianOperator, q0: Float64Array, steps: number): { alpha: number[]; beta: number[] } {
  const basis: Float64Array[] = [q0];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let j = 0; j < steps; j++) {
    const w = op.apply(basis[j]);
    const a = dot(w, basis[j]);
    alpha.push(a);
    if (j === steps - 1) break;
    for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(w, -dot(w, q), q);
    const b = norm(w);
    // invariant subspace found: the Ritz values so far are exact eigenvalues of the restriction
    if (b <= 1e-10 * Math.max(1, Math.abs(a))) break;
    beta.push(b);
    basis.push(scaled(w, 1 / b));
  }
  return { alpha, beta };
}

/** Ritz values (nodes) and Gauss quadrature weights (squared first eigenvector components). */
export function ritz(alpha: number[], beta: number[]): { nodes: number[]; weights: number[] } {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t, m);
  return { nodes: Array.from(values), weights: Array.from({ length: m }, (_, k) => vectors[k * m] ** 2) };
}

/**
 * METRICS.md `hessian_esd`: stochastic Lanczos quadrature. Each run starts from a seeded Rademacher
 * vector (normalised); the density is sum_k w_k N(t; theta_k, sigma^2) averaged over runs.
 */
export function hessianEsd(op: HessianOperator, opts: EsdOptions = {}): EsdResult {
  const seed = opts.seed ?? 0;
  const steps = Math.min(opts.steps ?? DEFAULT_ESD_STEPS, op.dim);
  const runs = opts.runs ?? 1;
  const bins = opts.bins ?? DEFAULT_ESD_BINS;
  if (!(Number.isInteger(steps) && steps >= 1)) throw invalid('steps must be an integer >= 1', { field: 'steps', value: opts.steps });
  if (!(Number.isInteger(runs) && runs >= 1)) throw invalid('runs must be an integer >= 1', { field: 'runs', value: runs });
  if (!(Number.isInteger(bins) && bins >= 2)) throw invalid('bins must be an integer >= 2', { field: 'bins', value: bins });
  if (opts.sigma !== undefined && !(opts.sigma > 0)) throw invalid('sigma must be > 0', { field: 'sigma', value: opts.sigma });
  const rng = createRng(seed);
  const nodes: number[] = [];
  const weights: number[] = [];
  let iterations = 0;
  for (let r = 0; r < runs; r++) {
    const z = rademacherVector(rng, op.dim);
    const { alpha, beta } = lanczos(op, scaled(z, 1 / norm(z)), steps);
    iterations += alpha.length;
    const q = ritz(alpha, beta);
    nodes.push(...q.nodes);
    weights.push(...q.weights.map((w) => w / runs));
  }
  const lo = Math.min(...nodes);
  const hi = Math.max(...nodes);
  const sigma = opts.sigma ?? 0.01 * (hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi), 1e-12));
  const start = lo - 5 * sigma;
  const step = (hi + 5 * sigma - start) / (bins - 1);
  const grid = Array.from({ length: bins }, (_, i) => start + i * step);
  const norm0 = 1 / (sigma * Math.sqrt(2 * Math.PI));
  const density = grid.map((t) => {
    let s = 0;
    for (let k = 0; k < nodes.length; k++) s += weights[k] * Math.exp(-((t - nodes[k]) ** 2) / (2 * sigma * sigma));
    return s * norm0;
  });
  // Lanczos has no stopping rule: each run does its m steps (fewer only on an exact invariant subspace)
  return { grid, density, nodes, weights, sigma, steps, runs, seed, iterations, converged: true };
}
