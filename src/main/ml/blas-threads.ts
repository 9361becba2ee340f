import type { Blas } from './blas';

/**
 * Threads per matrix product. Between products a job's BLAS keeps one thread fewer than the job has
 * (`narrow`: the JS thread's element-wise work needs its core); a large product runs on all of them (`wide`).
 * Measured here (2-core AMD EPYC, OpenBLAS 0.3.21, one thread vs two): 256x784 @ 784x512 (103M multiply-adds)
 * 2.2 vs 1.2 ms, 4096x128 @ 128x512 11.3 vs 4.6 ms, 6586x128 @ 128x97 (82M) 3.6 vs 3.1 ms, but 2823x97 @ 97x128
 * (35M) 1.0 vs 1.4 ms. The rule is by size, not by timing each shape: the thread count changes how the BLAS
 * rounds, and a run must give the same numbers every time it is repeated.
 */

/** Multiply-adds from which a product runs on every thread of the job. */
export const WIDE_PRODUCT = 2 ** 26;

let range: { narrow: number; wide: number } | null = null;

/**
 * The job's thread range for products (backend.ts, once the BLAS is loaded); wide <= narrow: always narrow.
 * Threads that share the process with training (its checkpoint-measuring thread) leave the count alone
 * (lapack.ts, leaveBlasThreadsAlone).
 */
export function setProductThreads(narrow: number, wide: number): void {
  range = wide > narrow ? { narrow, wide } : null;
}

/** Row-major c = op(a) op(b) on the BLAS: on every thread of the job when it is large enough (WIDE_PRODUCT). */
export function sgemm(
  blas: Blas,
  ta: 0 | 1,
  tb: 0 | 1,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
): void {
  if (!range) return blas.sgemm(ta, tb, m, n, k, a, b, c);
  // Set on every call, narrow too: the count is process-wide, and a product must not run on a count another
  // thread left behind. Narrow again after: other callers of the library (the attention kernels) expect it.
  const wide = m * n * k >= WIDE_PRODUCT;
  blas.setThreads(wide ? range.wide : range.narrow);
  try {
    blas.sgemm(ta, tb, m, n, k, a, b, c);
  } finally {
    if (wide) blas.setThreads(range.narrow);
  }
}
