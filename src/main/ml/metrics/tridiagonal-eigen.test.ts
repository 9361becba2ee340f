import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random';
import { symmetricEigen } from './linalg';
import { symmetricEigenvalues } from './tridiagonal-eigen';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rnd = seededRandom(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rnd.normal();
  return a;
}

describe('symmetricEigenvalues (Householder + implicit QL)', () => {
  it('agrees with cyclic Jacobi on random matrices', () => {
    for (const [n, seed] of [
      [1, 1],
      [2, 2],
      [5, 3],
      [30, 4],
      [80, 5],
    ] as const) {
      const a = randomSymmetric(n, seed);
      const want = symmetricEigen(a, n).values;
      const got = symmetricEigenvalues(a, n);
      const scale = Math.max(...Array.from(want, Math.abs));
      got.forEach((v, i) => expect(Math.abs(v - want[i]) / scale, `n=${n} i=${i}`).toBeLessThan(1e-10));
    }
  });

  it('handles repeated eigenvalues, zeros and a diagonal matrix exactly', () => {
    expect(Array.from(symmetricEigenvalues([2, 0, 0, 0, 2, 0, 0, 0, 0], 3))).toEqual([2, 2, 0]);
    // [[2,1],[1,2]]: eigenvalues 3 and 1
    const two = symmetricEigenvalues([2, 1, 1, 2], 2);
    expect(two[0]).toBeCloseTo(3, 12);
    expect(two[1]).toBeCloseTo(1, 12);
    // A Gram matrix of rank 2 in 6 dimensions: four zero eigenvalues.
    const v = [1, 2, 3, 4, 5, 6],
      w = [0, 1, 0, -1, 0, 1];
    const g = new Float64Array(36);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) g[i * 6 + j] = v[i] * v[j] + w[i] * w[j];
    const ev = symmetricEigenvalues(g, 6);
    expect(ev[0] + ev[1]).toBeCloseTo(91 + 3, 9);
    ev.slice(2).forEach((x) => expect(Math.abs(x)).toBeLessThan(1e-9));
  });
});
