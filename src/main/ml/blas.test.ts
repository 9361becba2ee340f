import { describe, expect, it } from 'vitest';
import { loadBlas } from './blas';

const blas = loadBlas();

/** float64 reference: row-major op(a) op(b). */
function reference(ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      c[i * n + j] = s;
    }
  return c;
}

describe.skipIf(!blas)(`system BLAS (${blas?.library ?? 'none found: install libopenblas0'})`, () => {
  it('sgemm: a hand-computed product', () => {
    // [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    const c = new Float32Array(4);
    blas!.sgemm(0, 0, 2, 2, 3, Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(1, 0, 0, 1, 1, 1), c);
    expect(Array.from(c)).toEqual([4, 5, 10, 11]);
  });

  it('sgemm: every transpose combination matches a float64 product', () => {
    const [m, n, k] = [7, 5, 9];
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i + 1));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(3 * i));
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const c = new Float32Array(m * n);
        blas!.sgemm(+ta, +tb, m, n, k, a, b, c);
        const want = reference(ta, tb, m, n, k, a, b);
        c.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      }
  });

  it('sgemm refuses operands shorter than the stated sizes (never reads past them)', () => {
    const ok = new Float32Array(6);
    expect(() => blas!.sgemm(0, 0, 2, 3, 3, ok, new Float32Array(9), new Float32Array(6))).not.toThrow();
    expect(() => blas!.sgemm(0, 0, 2, 3, 3, new Float32Array(5), new Float32Array(9), ok)).toThrow(/not a Float32Array of the stated size/);
    expect(() => blas!.sgemm(0, 0, 2, 3, 3, ok, new Float64Array(9) as unknown as Float32Array, ok)).toThrow(/not a Float32Array/);
    expect(() => blas!.sgemm(0, 0, 0, 3, 3, ok, ok, ok)).toThrow(/empty matrix/);
  });
});
