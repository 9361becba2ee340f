import { metricsLapack } from '../lapack';
import { colGramLapack, quadraticFormsLapack, rowGramLapack, symmetricEigenLapack } from './lapack-linalg';
import { symmetricEigenvalues as tridiagonalEigenvalues } from './tridiagonal-eigen';

/**
 * Dense float64 linear algebra of the metrics: Grams, symmetric eigen-solves and quadratic forms, on the
 * system BLAS/LAPACK where one is found (lapack-linalg.ts), else in JS (the *Js functions, kept as the
 * fallback and as the reference the route tests compare against).
 */

/** Below this size Jacobi stays: it is cheap there and keeps tiny eigenvalues relatively accurate. */
const LAPACK_MIN_EIGEN_N = 64;
/** Products with fewer multiply-adds than this stay in JS (a native call costs more than it saves). */
const LAPACK_MIN_WORK = 1 << 16;

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as rows: vectors[k * n + i] is component i of the k-th eigenvector. */
  vectors: Float64Array;
}

/** Eigen-decomposition of a symmetric n x n matrix: LAPACK dsyevd beyond small n, else Jacobi. */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const lp = n > LAPACK_MIN_EIGEN_N ? metricsLapack() : null;
  return (lp && symmetricEigenLapack(lp, matrix, n, true)) || symmetricEigenJs(matrix, n);
}

/** Eigenvalues only, descending: LAPACK dsyevd (no vectors), else Householder + QL. */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): Float64Array {
  const lp = n > LAPACK_MIN_EIGEN_N ? metricsLapack() : null;
  return (lp && symmetricEigenLapack(lp, matrix, n, false)?.values) || tridiagonalEigenvalues(matrix, n);
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations. Chosen for its
 * accuracy on small matrices (good relative accuracy for small eigenvalues, which nc1 divides by);
 * O(n^3) per sweep, so keep n small (C x C Grams, Grams of small weight matrices).
 */
export function symmetricEigenJs(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const a = Float64Array.from(matrix as ArrayLike<number>);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        // Smaller rotation root; for huge theta use the asymptote to avoid overflow in theta^2.
        const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = a[p * n + k] = c * akp - s * akq;
          a[k * n + q] = a[q * n + k] = s * akp + c * akq;
        }
        a[p * n + p] -= t * apq;
        a[q * n + q] += t * apq;
        a[p * n + q] = a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, k) => {
    values[k] = a[col * n + col];
    for (let i = 0; i < n; i++) vectors[k * n + i] = v[i * n + col];
  });
  return { values, vectors };
}

/** Gram matrix of the rows of a (rows x cols): out[i][j] = <a_i, a_j>, float64. */
export function rowGram(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const lp = rows * rows * cols >= LAPACK_MIN_WORK ? metricsLapack() : null;
  return lp ? rowGramLapack(lp, a, rows, cols) : rowGramJs(a, rows, cols);
}

/** Gram matrix of the columns of a (rows x cols): out = a^T a (cols x cols), float64. */
export function colGram(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const lp = rows * cols * cols >= LAPACK_MIN_WORK ? metricsLapack() : null;
  return lp ? colGramLapack(lp, a, rows, cols) : colGramJs(a, rows, cols);
}

/** q_k = v_k^T S v_k for the first `count` rows of vectors (count x n), S symmetric n x n. */
export function quadraticForms(vectors: Float64Array, S: Float64Array, count: number, n: number): Float64Array {
  const lp = count * n * n >= LAPACK_MIN_WORK ? metricsLapack() : null;
  if (lp) return quadraticFormsLapack(lp, vectors, S, count, n);
  const q = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    let t = 0;
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += S[a * n + b] * vectors[k * n + b];
      t += vectors[k * n + a] * s;
    }
    q[k] = t;
  }
  return q;
}

/** rowGram in JS. */
export function rowGramJs(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += a[i * cols + k] * a[j * cols + k];
      g[i * rows + j] = g[j * rows + i] = s;
    }
  }
  return g;
}

/** colGram in JS. */
export function colGramJs(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) row[k] = a[r * cols + k];
    for (let i = 0; i < cols; i++) {
      const x = row[i];
      if (x === 0) continue;
      for (let j = i; j < cols; j++) g[i * cols + j] += x * row[j];
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) g[i * cols + j] = g[j * cols + i];
  return g;
}

/** Mean and population standard deviation (ddof 0) of a list. */
export function meanStd(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const mean = s / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / xs.length) };
}

/** Sum of squares of all entries, float64. */
export function sumSquares(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}
