import { describe, expect, it } from 'vitest';
import { computeSplitMetrics } from './closed-form';
import { NC1_RELATIVE_CUTOFF } from './collapse';
import { symmetricEigen } from './linalg';
import { seededRandom } from './seeded-random';
import type { FeatureSplit, LastLayer } from './types';

const COLLAPSE = ['nc1', 'nc2_equinorm_means', 'nc2_equinorm_classifiers', 'nc2_equiangular', 'nc2_angle_std', 'nc3', 'nc4', 'cdnv'];

function clusters(seed: number, n: number, m: number, C: number, spread: number) {
  const r = seededRandom(seed);
  const centres = Array.from({ length: C * m }, () => r.normal() * 2);
  const labels = Int32Array.from({ length: n }, (_, i) => i % C);
  const features = Float64Array.from({ length: n * m }, (_, k) => centres[labels[Math.floor(k / m)] * m + (k % m)] + spread * r.normal());
  const weight = Float64Array.from({ length: C * m }, () => r.normal());
  return { split: { features, labels, n, m } as FeatureSplit, layer: { weight, bias: null, C, m } as LastLayer };
}

/** nc1 by the textbook route: m x m Sigma_W and Sigma_B, pseudo-inverse from Sigma_B's eigenpairs. */
function nc1Direct(split: FeatureSplit, C: number): number {
  const { n, m, features: x, labels } = split;
  const mu = new Float64Array(C * m);
  const cnt = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    cnt[labels[i]]++;
    for (let j = 0; j < m; j++) mu[labels[i] * m + j] += x[i * m + j];
  }
  for (let c = 0; c < C; c++) for (let j = 0; j < m; j++) mu[c * m + j] /= cnt[c];
  const g = Array.from({ length: m }, (_, j) => Array.from({ length: C }, (_, c) => mu[c * m + j]).reduce((a, b) => a + b) / C);
  const SW = new Float64Array(m * m);
  const SB = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++)
      for (let b = 0; b < m; b++) {
        SW[a * m + b] += ((x[i * m + a] - mu[labels[i] * m + a]) * (x[i * m + b] - mu[labels[i] * m + b])) / n;
      }
  }
  for (let c = 0; c < C; c++)
    for (let a = 0; a < m; a++)
      for (let b = 0; b < m; b++) {
        SB[a * m + b] += ((mu[c * m + a] - g[a]) * (mu[c * m + b] - g[b])) / C;
      }
  const { values, vectors } = symmetricEigen(SB, m);
  let tr = 0;
  for (let k = 0; k < C - 1; k++) {
    if (values[k] <= NC1_RELATIVE_CUTOFF * values[0]) break;
    let q = 0;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) q += vectors[k * m + a] * SW[a * m + b] * vectors[k * m + b];
    tr += q / values[k];
  }
  return tr / C;
}

describe('nc1', () => {
  for (const [seed, m, C] of [
    [1, 7, 3],
    [2, 12, 5],
    [3, 4, 4],
    [4, 9, 2],
  ] as const) {
    it(`C x C Gram route equals the direct pseudo-inverse route (m=${m}, C=${C})`, () => {
      const { split, layer } = clusters(seed, 60, m, C, 0.8);
      const got = computeSplitMetrics(split, layer, ['nc1']).values.nc1;
      const want = nc1Direct(split, C);
      expect(Math.abs(got - want) / want).toBeLessThan(1e-9);
    });
  }
});

describe('hand-computed case (m=2, C=2)', () => {
  // Class 0 at (1,0),(3,0): mean (2,0); class 1 at (-2,1),(-2,-1): mean (-2,0); global mean 0.
  const split: FeatureSplit = { features: Float64Array.from([1, 0, 3, 0, -2, 1, -2, -1]), labels: [0, 0, 1, 1], n: 4, m: 2 };
  // Bias 5 on class 0 makes every sample predicted 0; sample 4 ties (2, 2) and goes to the lower index.
  const layer: LastLayer = { weight: Float64Array.from([1, 1, -1, 0]), bias: Float64Array.from([5, 0]), C: 2, m: 2 };
  const v = computeSplitMetrics(split, layer, COLLAPSE).values;
  it('nc1: Sigma_W = diag(.5,.5), Sigma_B = diag(4,0) -> 0.125 / 2', () => expect(v.nc1).toBeCloseTo(0.0625, 14));
  it('nc2 terms', () => {
    expect(v.nc2_equinorm_means).toBe(0);
    expect(v.nc2_equiangular).toBeCloseTo(0, 14);
    expect(v.nc2_angle_std).toBeCloseTo(0, 14);
    expect(v.nc2_equinorm_classifiers).toBeCloseTo(3 - 2 * Math.SQRT2, 14);
  });
  it('nc3 = 2 - 4 / sqrt(6)', () => expect(v.nc3).toBeCloseTo(2 - 4 / Math.sqrt(6), 14));
  it('nc4 = 0.5 (class 1 mispredicted, tie to the lowest index)', () => expect(v.nc4).toBe(0.5));
  it('cdnv = (1 + 1) / (2 * 16)', () => expect(v.cdnv).toBeCloseTo(0.0625, 14));
});

describe('constructed simplex ETF', () => {
  it('collapsed features with a self-dual classifier give zero NC terms', () => {
    const C = 4,
      m = 6,
      perClass = 5;
    // Simplex ETF rows e_c - 1/C in the first C coordinates; a global offset along coordinate 5.
    const etf = Array.from({ length: C }, (_, c) => Array.from({ length: m }, (_, j) => (j < C ? (j === c ? 1 : 0) - 1 / C : 0)));
    const features = new Float64Array(C * perClass * m);
    const labels = new Int32Array(C * perClass);
    for (let i = 0; i < C * perClass; i++) {
      labels[i] = i % C;
      for (let j = 0; j < m; j++) features[i * m + j] = etf[i % C][j] * 3 + (j === 5 ? 7 : 0);
    }
    const weight = Float64Array.from(etf.flat().map((w) => w * 0.5));
    const v = computeSplitMetrics({ features, labels, n: C * perClass, m }, { weight, C, m }, COLLAPSE).values;
    for (const k of COLLAPSE) expect(Math.abs(v[k]), k).toBeLessThan(1e-12);
  });
});

describe('edge cases: defined results, never NaN', () => {
  const allFinite = (values: Record<string, number>) => Object.values(values).every(Number.isFinite);

  it('a class absent from the split is left out, as if it did not exist', () => {
    const { split, layer } = clusters(5, 45, 5, 3, 0.5);
    // Embed as classes {0, 2, 3} of C = 4; class 1 has no sample.
    const map = [0, 2, 3];
    const labels = Int32Array.from(split.labels as Int32Array, (y) => map[y]);
    const weight = new Float64Array(4 * 5);
    map.forEach((c, a) => weight.set(layer.weight.subarray(a * 5, a * 5 + 5), c * 5));
    weight.set([9, -9, 9, -9, 9], 5); // a row for the absent class: must not influence collapse keys
    const a = computeSplitMetrics(split, layer, COLLAPSE).values;
    const b = computeSplitMetrics({ ...split, labels }, { weight, C: 4, m: 5 }, COLLAPSE).values;
    for (const k of COLLAPSE.filter((k) => k !== 'nc4')) expect(b[k], k).toBeCloseTo(a[k], 12);
    expect(allFinite(b)).toBe(true);
  });

  it('a class with a single sample', () => {
    const { split, layer } = clusters(6, 21, 4, 3, 0.5);
    const labels = Int32Array.from(split.labels as Int32Array);
    labels.fill(0);
    labels[0] = 1;
    labels[1] = 2;
    labels[2] = 2;
    const bag = computeSplitMetrics({ ...split, labels }, layer);
    expect(Object.keys(bag.omitted)).toEqual([]);
    expect(allFinite(bag.values)).toBe(true);
  });

  it('one class present: collapse keys that need two classes are omitted with a reason', () => {
    const { split, layer } = clusters(7, 10, 3, 2, 0.5);
    const bag = computeSplitMetrics({ ...split, labels: new Int32Array(10) }, layer);
    expect(bag.omitted.nc1).toMatch(/at least 2 classes/);
    expect(bag.omitted.cdnv).toMatch(/at least 2 classes/);
    expect(bag.values.nc4).toBeDefined();
    expect(allFinite(bag.values)).toBe(true);
  });

  it('identical class means: nc1 and cdnv are omitted, not NaN or Infinity', () => {
    const features = Float64Array.from([1, 2, 3, 4, 1, 2, 3, 4]);
    const bag = computeSplitMetrics(
      { features, labels: [0, 0, 1, 1], n: 4, m: 2 },
      { weight: Float64Array.from([1, 0, 0, 1]), C: 2, m: 2 },
    );
    expect(bag.omitted.nc1).toMatch(/coincide/);
    expect(bag.omitted.cdnv).toMatch(/identical means/);
    expect(allFinite(bag.values)).toBe(true);
  });

  it('constant features everywhere: kappa_sigma is 0, nothing is NaN', () => {
    const features = new Float64Array(12).fill(2.5);
    const bag = computeSplitMetrics(
      { features, labels: [0, 1, 0, 1], n: 4, m: 3 },
      { weight: Float64Array.from([1, 2, 3, -1, 0, 2]), C: 2, m: 3 },
    );
    expect(bag.values.kappa_sigma).toBe(0);
    expect(allFinite(bag.values)).toBe(true);
  });
});
