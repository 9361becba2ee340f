import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random';
import { powerLawAlpha, weightEigenvalues, weightMetrics } from './weights';

/** Largest singular value by power iteration on W^T W: an independent route to spectral_norm. */
function powerSpectral(W: Float64Array, rows: number, cols: number): number {
  let v = Float64Array.from({ length: cols }, (_, i) => 1 + i * 0.01);
  let s = 0;
  for (let it = 0; it < 2000; it++) {
    const u = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) u[r] += W[r * cols + c] * v[c];
    const w = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) w[c] += W[r * cols + c] * u[r];
    const norm = Math.hypot(...w);
    v = w.map((x) => x / norm);
    s = Math.sqrt(norm);
  }
  return s;
}

describe('weights-only metrics', () => {
  const r = seededRandom(3);
  const W = Float64Array.from({ length: 6 * 9 }, () => r.normal());

  it('fro_norm, spectral_norm, stable_rank', () => {
    const v = weightMetrics(W, 6, 9).values;
    expect(v.fro_norm).toBeCloseTo(Math.sqrt(W.reduce((s, x) => s + x * x, 0)), 12);
    expect(v.spectral_norm).toBeCloseTo(powerSpectral(W, 6, 9), 9);
    expect(v.stable_rank).toBeCloseTo(v.fro_norm ** 2 / v.spectral_norm ** 2, 12);
  });

  it('tall and wide matrices use the smaller Gram and agree with the transpose', () => {
    const T = new Float64Array(9 * 6);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 9; j++) T[j * 6 + i] = W[i * 9 + j];
    const a = weightEigenvalues(W, 6, 9);
    const b = weightEigenvalues(T, 9, 6);
    expect(a.length).toBe(6);
    for (let k = 0; k < 6; k++) expect(b[k]).toBeCloseTo(a[k], 12);
  });

  it('dist_from_init needs the initial weights', () => {
    const init = W.map((x) => x + 0.5);
    expect(weightMetrics(W, 6, 9, { init }).values.dist_from_init).toBeCloseTo(0.5 * Math.sqrt(54), 12);
    expect(weightMetrics(W, 6, 9).omitted.dist_from_init).toMatch(/no initial weights/);
    expect(() => weightMetrics(W, 6, 9, { init: new Float64Array(3) })).toThrow(/initial weight/);
  });

  it('a zero matrix gives no NaN', () => {
    const bag = weightMetrics(new Float64Array(12), 3, 4);
    expect(bag.values.spectral_norm).toBe(0);
    expect(bag.omitted.stable_rank).toBeDefined();
    expect(bag.omitted.ww_alpha).toBeDefined();
  });
});

describe('ww_alpha power-law fit', () => {
  it('recovers the exponent of a Pareto sample', () => {
    const r = seededRandom(11);
    const alpha = 2.5;
    // Inverse-CDF draws from p(x) ~ x^-alpha on [1, inf), plus a bulk below x_min that the fit should cut.
    const tail = Array.from({ length: 2000 }, () => Math.pow(1 - r.uniform(), -1 / (alpha - 1)));
    const bulk = Array.from({ length: 500 }, () => 0.2 + 0.7 * r.uniform());
    const fit = powerLawAlpha([...tail, ...bulk]);
    if (typeof fit === 'string') throw new Error(fit);
    expect(fit.alpha).toBeGreaterThan(2.35);
    expect(fit.alpha).toBeLessThan(2.65);
    expect(fit.xmin).toBeGreaterThan(0.85);
  });

  it('is the brute-force minimum-KS Hill fit and scale-free', () => {
    const xs = [0.3, 0.5, 0.9, 1.4, 2.2, 3.9, 7.5, 16];
    const fit = powerLawAlpha(xs);
    const scaled = powerLawAlpha(xs.map((x) => x * 1000));
    if (typeof fit === 'string' || typeof scaled === 'string') throw new Error('no fit');
    expect(scaled.alpha).toBeCloseTo(fit.alpha, 10);
    let best = Infinity,
      bestAlpha = NaN;
    for (let s = 0; s < xs.length - 1; s++) {
      const tail = xs.slice(s);
      const a = 1 + tail.length / tail.reduce((acc, x) => acc + Math.log(x / xs[s]), 0);
      const ecdf = tail.map((x, i) => [i / tail.length, (i + 1) / tail.length, 1 - (x / xs[s]) ** (1 - a)]);
      const d = Math.max(...ecdf.map(([lo, hi, f]) => Math.max(hi - f, f - lo)));
      if (d < best) {
        best = d;
        bestAlpha = a;
      }
    }
    expect(fit.alpha).toBeCloseTo(bestAlpha, 12);
    expect(fit.ks).toBeCloseTo(best, 12);
  });
});
