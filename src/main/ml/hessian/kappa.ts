import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';
import type { Rng } from '../data/prng';
import { rowGram, symmetricEigen } from '../metrics/linalg';
import { dot, type HessianOperator } from './operator';
import { DEFAULT_MAX_ITER, hutchinson, type IterOptions, type RunInfo } from './spectral';

/*
 * Relative flatness of one layer through HVPs (METRICS.md): W is C x m (rows w_s = output neurons),
 * H the Hessian w.r.t. vec(W) (index s*m + j), and
 *   kappa = sum_{s,s'} <w_s, w_s'> Tr(H_{s,s'}) = Tr((G kron I_m) H),  G = W W^T.
 * For any A with A A^T = G, G kron I_m = (A kron I)(A kron I)^T, so
 *   kappa = sum_{a,j} u_aj^T H u_aj,  u_aj = A[:, a] kron e_j   (exact: rank(G) * m HVPs)
 *         = E_Z[ vec(A Z)^T H vec(A Z) ],  Z with iid Rademacher entries  (Hutchinson)
 * because E[(AZ)_{sj} (AZ)_{s'j'}] = delta_{jj'} G_{ss'}. The exact route takes A = Q L^{1/2} from
 * the C x C eigendecomposition of G; the stochastic one takes A = W itself (Z is m x m), which needs
 * no factorisation and is a single matMul per probe. With A = I the same sums give Tr H.
 */

export interface LayerWeight {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

export interface KappaOptions extends IterOptions {
  /** true: exact sum of rank(G)*m probes; false: structured Hutchinson; 'auto' (default): exact when that needs <= maxIter HVPs. */
  exact?: boolean | 'auto';
}

export interface KappaResult extends RunInfo {
  value: number;
  exact: boolean;
  /** Monte-Carlo standard error (stochastic route only). */
  stderr?: number;
}

/** Eigenvalues of G below this fraction of the largest are dropped in the exact route (rounding noise). */
const RANK_CUTOFF = 1e-12;

/** Columns of A = Q L^{1/2} with A A^T = W W^T, as arrays of length C. */
function gramFactor(w: LayerWeight): Float64Array[] {
  const { rows: C, cols: m } = w;
  const { values, vectors } = symmetricEigen(rowGram(w.data, C, m), C);
  const top = Math.max(values[0], 0);
  const cols: Float64Array[] = [];
  for (let a = 0; a < C; a++) {
    if (!(values[a] > RANK_CUTOFF * top)) continue;
    const s = Math.sqrt(values[a]);
    cols.push(Float64Array.from({ length: C }, (_, i) => s * vectors[a * C + i]));
  }
  return cols;
}

/** Exact Tr((A A^T kron I_m) H) from the columns of A, one HVP per (column, input index). */
export function exactGramTrace(
  op: HessianOperator,
  columns: Float64Array[],
  rows: number,
  cols: number,
): { value: number; iterations: number } {
  let sum = 0;
  let iterations = 0;
  const u = new Float64Array(rows * cols);
  for (const col of columns) {
    for (let j = 0; j < cols; j++) {
      u.fill(0);
      for (let s = 0; s < rows; s++) u[s * cols + j] = col[s];
      sum += dot(u, op.apply(u));
      iterations++;
    }
  }
  return { value: sum, iterations };
}

/** vec(W Z) for an m x m Rademacher Z, on the tfjs backend (C*m*m multiply-adds). */
function structuredProbe(w: tf.Tensor2D, rng: Rng): Float64Array {
  const m = w.shape[1];
  const z = new Float32Array(m * m);
  for (let i = 0; i < z.length; i++) z[i] = rng.next() < 0.5 ? -1 : 1;
  const u = tf.tidy(() => tf.matMul(w, tf.tensor2d(z, [m, m])));
  try {
    return Float64Array.from(u.dataSync());
  } finally {
    u.dispose();
  }
}

/**
 * kappa of one layer; `op` must be the Hessian w.r.t. that layer's weight alone (dimension C*m,
 * row-major like the weight).
 */
export function layerKappa(op: HessianOperator, weight: LayerWeight, opts: KappaOptions = {}): KappaResult {
  const { rows: C, cols: m } = weight;
  if (op.dim !== C * m) throw invalid(`layer kappa: the Hessian has dimension ${op.dim}, the weight ${C} x ${m}`);
  if (weight.data.length !== C * m) throw invalid(`layer kappa: weight data has ${weight.data.length} values, expected ${C * m}`);
  const seed = opts.seed ?? 0;
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  const mode = opts.exact ?? 'auto';
  // rank(G) <= min(C, m): a cheap upper bound on the exact route's cost before factorising
  const exact = mode === 'auto' ? Math.min(C, m) * m <= maxIter : mode;
  if (exact) {
    const r = exactGramTrace(op, gramFactor(weight), C, m);
    return { value: r.value, exact: true, seed, iterations: r.iterations, converged: true };
  }
  const w = tf.tensor2d(Float32Array.from(weight.data), [C, m]);
  try {
    const r = hutchinson(op, { ...opts, maxIter }, (rng) => structuredProbe(w, rng));
    return { value: r.value, exact: false, stderr: r.stderr, seed: r.seed, iterations: r.iterations, converged: r.converged };
  } finally {
    w.dispose();
  }
}

/** Exact trace of the operator from unit probes (tests; small layers). */
export function exactTrace(op: HessianOperator): number {
  let sum = 0;
  const e = new Float64Array(op.dim);
  for (let i = 0; i < op.dim; i++) {
    e.fill(0);
    e[i] = 1;
    sum += op.apply(e)[i];
  }
  return sum;
}
