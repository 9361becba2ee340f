import { afterEach, describe, expect, it } from 'vitest';
import type { Blas } from './blas';
import { setProductThreads, sgemm, WIDE_PRODUCT } from './blas-threads';

/** A BLAS that records the thread count each product ran on, and multiplies by the book (to check operands pass through). */
function recordingBlas() {
  let threads = 1;
  const log: string[] = [];
  const blas: Blas = {
    library: 'fake',
    setThreads: (n) => ((threads = n), true),
    sgemm: (ta, tb, m, n, k, a, b, c) => {
      log.push(`${m}x${n}x${k} on ${threads}`);
      if (ta || tb) throw new Error('the fake multiplies untransposed operands only');
      if (m * n * k > 64) return; // a large product only counts: its operands are not allocated
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
          c[i * n + j] = s;
        }
    },
  };
  return { blas, log, threads: () => threads };
}

describe('threads per product', () => {
  afterEach(() => setProductThreads(1, 1));

  it('runs a product of WIDE_PRODUCT multiply-adds or more on every thread of the job, smaller ones on one fewer, and leaves the count narrow', () => {
    const { blas, log, threads } = recordingBlas();
    setProductThreads(3, 4);
    const big = [1, 2 ** 13, 2 ** 13] as const; // exactly WIDE_PRODUCT = 2^26
    expect(big[0] * big[1] * big[2]).toBe(WIDE_PRODUCT);
    const none = new Float32Array(0);
    sgemm(blas, 0, 0, ...big, none, none, none);
    expect(threads()).toBe(3);
    const [x, y, z] = [Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), new Float32Array(4)];
    blas.setThreads(4); // another thread left the process-wide count wide: a small product still runs narrow
    sgemm(blas, 0, 0, 2, 2, 2, x, y, z);
    expect(log).toEqual([`1x${2 ** 13}x${2 ** 13} on 4`, '2x2x2 on 3']);
    expect(Array.from(z)).toEqual([19, 22, 43, 50]); // [[1,2],[3,4]] [[5,6],[7,8]] by hand
  });

  it('with nothing to choose between (a one-thread job) leaves the count alone', () => {
    const { blas, log } = recordingBlas();
    setProductThreads(1, 1);
    blas.setThreads(2);
    sgemm(blas, 0, 0, 1, 1, 1, Float32Array.of(2), Float32Array.of(3), new Float32Array(1));
    expect(log).toEqual(['1x1x1 on 2']);
  });
});
