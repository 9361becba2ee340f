import { describe, expect, it } from 'vitest';
import { metricKeyNames } from '../../../shared/domain/metrics';
import { CLOSED_FORM_KEYS, computeDumpMetrics, resolveKeys } from './closed-form';
import { seededRandom } from './seeded-random';
import type { FeatureDumpData } from './types';

function dump(withTest: boolean): FeatureDumpData {
  const r = seededRandom(5);
  const n = 30,
    m = 4,
    C = 3;
  const split = (k: number) => ({
    features: Float32Array.from({ length: k * m }, () => r.normal()),
    labels: Int32Array.from({ length: k }, (_, i) => i % C),
    n: k,
    m,
  });
  return {
    train: split(n),
    test: withTest ? split(12) : undefined,
    layer: { weight: Float64Array.from({ length: C * m }, () => r.normal()), bias: null, C, m },
  };
}

describe('computeDumpMetrics', () => {
  it('prints train keys at the top, per-split keys under test, reasons under omitted', () => {
    const out = computeDumpMetrics(dump(true));
    for (const k of ['kappa', 'nc1', 'train_loss', 'test_loss', 'gap_acc', 'fro_norm', 'spectral_norm'])
      expect(typeof out[k], k).toBe('number');
    expect(Object.keys(out.test!)).toContain('kappa_sigma');
    expect(Object.keys(out.test!)).not.toContain('train_loss');
    expect(out.omitted).toEqual({ dist_from_init: 'no initial weights given' });
  });

  it('without a test split, the test keys are omitted with a reason', () => {
    const out = computeDumpMetrics(dump(false));
    expect(out.test).toBeUndefined();
    expect(out.omitted!.gap_loss).toMatch(/no test split/);
  });

  it('dist_from_init with the initial weight', () => {
    const d = dump(false);
    const out = computeDumpMetrics(d, ['dist_from_init'], { initWeight: new Float64Array(12) });
    expect(out.dist_from_init).toBeCloseTo(Math.sqrt(Array.from(d.layer.weight).reduce((s, w) => s + w * w, 0)), 12);
  });

  it('rejects unknown keys and Hessian keys with an actionable message', () => {
    expect(() => resolveKeys(['kapa'])).toThrow(/unknown metric 'kapa'; known closed-form metrics: kappa/);
    expect(() => resolveKeys(['hessian_top_eig'])).toThrow(/needs the model/);
  });

  it('rejects mismatched inputs', () => {
    const d = dump(true);
    expect(() => computeDumpMetrics({ ...d, train: { ...d.train, labels: [0, 1, 5] } })).toThrow(/labels/);
    expect(() => computeDumpMetrics({ ...d, train: { ...d.train, labels: Int32Array.from({ length: 30 }, () => 3) } })).toThrow(
      /outside \[0, 3\)/,
    );
    expect(() => computeDumpMetrics({ ...d, layer: { ...d.layer, m: 5 } })).toThrow(/m = 4/);
  });

  it('every closed-form key is in the catalogue', () => {
    const catalogue = new Set(metricKeyNames());
    for (const k of CLOSED_FORM_KEYS) expect(catalogue.has(k), k).toBe(true);
  });
});
