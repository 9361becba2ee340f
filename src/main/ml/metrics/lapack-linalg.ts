import { mayPickBlasThreads, type Lapack } from '../lapack';

/**
 * Grams, eigen-solves and quadratic forms of the metrics on the system BLAS/LAPACK (see ../lapack.ts).
 * Inputs of any float type are widened to float64 a block at a time, so a float32 matrix is never copied
 * whole; every product accumulates in float64, as the JS route does.
 */

/** Float64 values per widened block (8 MiB). */
const BLOCK = 1 << 20;

type Values = ArrayLike<number> & { subarray?: (start: number, end: number) => ArrayLike<number> };

/** out = a[start, end) as float64: a typed array's set where it has subarray, else element by element. */
function widen(a: Values, start: number, end: number, out: Float64Array): void {
  if (a.subarray) out.set(a.subarray(start, end));
  else for (let i = start; i < end; i++) out[i - start] = a[i];
}

/** a a^T (rows x rows) of a row-major rows x cols matrix, over blocks of columns. */
export function rowGramLapack(lp: Lapack, a: Values, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  if (a instanceof Float64Array) {
    lp.dsyrk(0, rows, cols, 1, a.subarray(0, rows * cols), 0, g);
    return g;
  }
  const kb = Math.max(1, Math.min(cols, Math.floor(BLOCK / rows)));
  const buf = new Float64Array(rows * kb);
  for (let k0 = 0; k0 < cols; k0 += kb) {
    const w = Math.min(kb, cols - k0);
    const b = buf.subarray(0, rows * w);
    if (w === cols) widen(a, 0, rows * cols, b);
    else for (let i = 0; i < rows; i++) for (let j = 0, o = i * cols + k0; j < w; j++) b[i * w + j] = a[o + j];
    lp.dsyrk(0, rows, w, 1, b, k0 === 0 ? 0 : 1, g);
  }
  return g;
}

/** a^T a (cols x cols) of a row-major rows x cols matrix, over blocks of rows. */
export function colGramLapack(lp: Lapack, a: Values, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  if (a instanceof Float64Array) {
    lp.dsyrk(1, cols, rows, 1, a.subarray(0, rows * cols), 0, g);
    return g;
  }
  const rb = Math.max(1, Math.min(rows, Math.floor(BLOCK / cols)));
  const buf = new Float64Array(rb * cols);
  for (let r0 = 0; r0 < rows; r0 += rb) {
    const h = Math.min(rb, rows - r0);
    const b = buf.subarray(0, h * cols);
    widen(a, r0 * cols, (r0 + h) * cols, b);
    lp.dsyrk(1, cols, h, 1, b, r0 === 0 ? 0 : 1, g);
  }
  return g;
}

/**
 * Eigenvalues only, up to this n, on one thread: the tridiagonal reduction is half matrix-vector products,
 * bound by memory, where a second thread mostly spins (GPT-2's 768 x 768 Grams: ~40% less CPU and wall).
 */
const ONE_THREAD_VALUES_MAX_N = 2048;

/** dsyevd, descending; vectors as rows (vectors[k * n + i]). Null if LAPACK reports a failure (the caller falls back). */
export function symmetricEigenLapack(
  lp: Lapack,
  matrix: ArrayLike<number>,
  n: number,
  withVectors: boolean,
): { values: Float64Array; vectors: Float64Array } | null {
  const a = Float64Array.from(matrix);
  const w = new Float64Array(n);
  const threads = !withVectors && n <= ONE_THREAD_VALUES_MAX_N && mayPickBlasThreads() ? 1 : 0;
  if (lp.dsyevd(n, a, w, withVectors, threads) !== 0) return null;
  const values = w.reverse();
  if (!withVectors) return { values, vectors: new Float64Array(0) };
  // LAPACK's eigenvector k is row k of a (ascending order): reverse the rows
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) vectors.set(a.subarray((n - 1 - k) * n, (n - k) * n), k * n);
  return { values, vectors };
}

/** q_k = v_k^T S v_k for the first `count` rows v_k of vectors (count x n, row-major), S symmetric n x n. */
export function quadraticFormsLapack(lp: Lapack, vectors: Float64Array, S: Float64Array, count: number, n: number): Float64Array {
  const q = new Float64Array(count);
  if (count === 0) return q;
  const t = new Float64Array(count * n);
  lp.dgemm(0, 0, count, n, n, 1, vectors.subarray(0, count * n), S, 0, t);
  for (let k = 0; k < count; k++) {
    let s = 0;
    for (let i = 0, o = k * n; i < n; i++) s += t[o + i] * vectors[o + i];
    q[k] = s;
  }
  return q;
}
