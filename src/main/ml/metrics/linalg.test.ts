import { describe, expect, it } from 'vitest';
import { colGram, rowGram, symmetricEigen } from './linalg';
import { seededRandom } from './seeded-random';

describe('symmetricEigen (cyclic Jacobi)', () => {
  for (const n of [1, 2, 5, 12]) {
    it(`reconstructs A = V diag(l) V^T with orthonormal V (n=${n})`, () => {
      const r = seededRandom(n);
      const B = Float64Array.from({ length: n * n }, () => r.normal());
      const A = colGram(B, n, n);
      const { values, vectors } = symmetricEigen(A, n);
      for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let a = 0,
            dot = 0;
          for (let k = 0; k < n; k++) {
            a += vectors[k * n + i] * values[k] * vectors[k * n + j];
            dot += vectors[i * n + k] * vectors[j * n + k];
          }
          expect(a).toBeCloseTo(A[i * n + j], 10);
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
        }
      }
    });
  }

  it('keeps a tiny eigenvalue next to a large one accurate (graded matrix)', () => {
    const { values } = symmetricEigen([1e8, 1, 1, 1], 2);
    expect(values[1]).toBeCloseTo(1 - 1e-8, 14);
  });

  it('rowGram and colGram are transposes of each other', () => {
    const a = [1, 2, 3, 4, 5, 6];
    expect(Array.from(rowGram(a, 2, 3))).toEqual([14, 32, 32, 77]);
    expect(Array.from(colGram([1, 4, 2, 5, 3, 6], 3, 2))).toEqual([14, 32, 32, 77]);
  });
});
