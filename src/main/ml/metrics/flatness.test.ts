import { describe, expect, it } from 'vitest';
import { computeSplitMetrics } from './closed-form';
import { seededRandom } from './seeded-random';
import type { FeatureSplit, LastLayer } from './types';

function problem(seed: number, n: number, m: number, C: number) {
  const r = seededRandom(seed);
  const features = Float64Array.from({ length: n * m }, () => r.normal() * 1.5 + 0.3);
  const labels = Int32Array.from({ length: n }, () => r.int(C));
  const weight = Float64Array.from({ length: C * m }, () => r.normal() * 0.7);
  const bias = Float64Array.from({ length: C }, () => r.normal() * 0.2);
  return { split: { features, labels, n, m } as FeatureSplit, layer: { weight, bias, C, m } as LastLayer };
}

/** Analytic gradient of the mean CE w.r.t. W: (1/n) sum_i (p_i - onehot(y_i)) phi_i^T. */
function gradient(split: FeatureSplit, layer: LastLayer, W: Float64Array): Float64Array {
  const { n, m, features: x, labels } = split;
  const C = layer.C;
  const g = new Float64Array(C * m);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: C }, (_, c) => {
      let s = layer.bias ? layer.bias[c] : 0;
      for (let j = 0; j < m; j++) s += W[c * m + j] * x[i * m + j];
      return s;
    });
    const zmax = Math.max(...z);
    const e = z.map((v) => Math.exp(v - zmax));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c < C; c++) {
      const coef = e[c] / sum - (labels[i] === c ? 1 : 0);
      for (let j = 0; j < m; j++) g[c * m + j] += (coef * x[i * m + j]) / n;
    }
  }
  return g;
}

/** Dense Hessian (Cm x Cm) by central differences of the analytic gradient, float64. */
function denseHessian(split: FeatureSplit, layer: LastLayer): Float64Array {
  const P = layer.C * layer.m;
  const H = new Float64Array(P * P);
  const h = 1e-5;
  for (let q = 0; q < P; q++) {
    const plus = Float64Array.from(layer.weight);
    const minus = Float64Array.from(layer.weight);
    plus[q] += h;
    minus[q] -= h;
    const gp = gradient(split, layer, plus);
    const gm = gradient(split, layer, minus);
    for (let p = 0; p < P; p++) H[p * P + q] = (gp[p] - gm[p]) / (2 * h);
  }
  return H;
}

describe('relative flatness against a finite-difference Hessian', () => {
  for (const [seed, n, m, C] of [
    [1, 40, 5, 3],
    [2, 25, 4, 2],
    [3, 30, 6, 4],
  ] as const) {
    it(`kappa and hessian_trace, n=${n} m=${m} C=${C}`, () => {
      const { split, layer } = problem(seed, n, m, C);
      const H = denseHessian(split, layer);
      const P = C * m;
      const W = layer.weight;
      let trace = 0;
      for (let p = 0; p < P; p++) trace += H[p * P + p];
      // kappa = sum_{s,s'} <w_s, w_s'> Tr(H_{s,s'}), the block form of METRICS.md.
      let kappa = 0;
      for (let s = 0; s < C; s++) {
        for (let t = 0; t < C; t++) {
          let ws = 0,
            tr = 0;
          for (let j = 0; j < m; j++) {
            ws += W[s * m + j] * W[t * m + j];
            tr += H[(s * m + j) * P + (t * m + j)];
          }
          kappa += ws * tr;
        }
      }
      const got = computeSplitMetrics(split, layer).values;
      expect(got.hessian_trace).toBeCloseTo(trace, 7);
      expect(Math.abs(got.kappa - kappa) / kappa).toBeLessThan(1e-6);
      expect(got.kappa_fam).toBeCloseTo(got.kappa / m, 12);
      expect(got.kappa).toBeLessThanOrEqual(got.flatness_bound * (1 + 1e-12));
    });
  }
});

describe('invariances', () => {
  it('kappa is unchanged under phi * c, W / c (and kappa_sigma too)', () => {
    const { split, layer } = problem(7, 50, 6, 4);
    const base = computeSplitMetrics(split, layer).values;
    const c = 3.7;
    const scaled = computeSplitMetrics(
      { ...split, features: split.features.map((v) => v * c) },
      { ...layer, weight: layer.weight.map((v) => v / c) },
    ).values;
    expect(scaled.kappa).toBeCloseTo(base.kappa, 10);
    expect(scaled.kappa_sigma).toBeCloseTo(base.kappa_sigma, 10);
  });

  it('kappa_sigma is unchanged under a per-feature rescale (weights rescaled inversely)', () => {
    const { split, layer } = problem(8, 60, 5, 3);
    const { m, n } = split;
    const scale = [0.01, 5, 1, 300, 0.4];
    const features = split.features.map((v, i) => v * scale[i % m]);
    const weight = layer.weight.map((v, i) => v / scale[i % m]);
    const a = computeSplitMetrics(split, layer).values;
    const b = computeSplitMetrics({ ...split, features, n }, { ...layer, weight }).values;
    expect(Math.abs(b.kappa_sigma - a.kappa_sigma) / a.kappa_sigma).toBeLessThan(1e-10);
    expect(Math.abs(b.kappa - a.kappa) / a.kappa).toBeGreaterThan(1e-3); // plain kappa is not invariant
  });

  it('kappa_sigma folds a constant feature into the bias', () => {
    const { split, layer } = problem(9, 40, 4, 3);
    const { n, m, C } = { ...split, C: 3 };
    // Add a constant column 2.5 with its own weights; logits shift by 2.5 * w_c, i.e. a bias change.
    const features = new Float64Array(n * (m + 1));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) features[i * (m + 1) + j] = split.features[i * m + j];
      features[i * (m + 1) + m] = 2.5;
    }
    const extra = [0.9, -1.3, 0.4];
    const weight = new Float64Array(C * (m + 1));
    const bias = Float64Array.from(layer.bias!);
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < m; j++) weight[c * (m + 1) + j] = layer.weight[c * m + j];
      weight[c * (m + 1) + m] = extra[c];
      bias[c] += 2.5 * extra[c];
    }
    const withConst = computeSplitMetrics(
      { features, labels: split.labels, n, m: m + 1 },
      { weight, bias: layer.bias, C, m: m + 1 },
    ).values;
    const folded = computeSplitMetrics(split, { ...layer, bias }).values;
    expect(withConst.kappa_sigma).toBeCloseTo(folded.kappa_sigma, 10);
    expect(Number.isFinite(withConst.kappa_sigma)).toBe(true);
  });
});
