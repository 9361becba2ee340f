import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFeatureDump } from '../../io/feature-dump';
import { computeDumpMetrics, type DumpMetrics } from './closed-form';

// Independent route: values from a float64 NumPy implementation of METRICS.md (test/fixtures/metrics).
const DIR = resolve(__dirname, '../../../../test/fixtures/metrics');

function expectClose(actual: DumpMetrics | Record<string, number>, expected: Record<string, unknown>, where: string): void {
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'test') {
      expect(actual.test, `${where}: test block`).toBeDefined();
      expectClose(actual.test as Record<string, number>, want as Record<string, unknown>, `${where}.test`);
      continue;
    }
    const got = actual[key];
    expect(typeof got, `${where}.${key}`).toBe('number');
    const tol = Math.max(1e-6 * Math.abs(want as number), 1e-9);
    expect(Math.abs((got as number) - (want as number)), `${where}.${key}: got ${got}, expected ${want}`).toBeLessThanOrEqual(tol);
  }
}

/** Per-split keys METRICS.md added with the many-classes rule; the fixtures above predate them (lm_zipf_v2000 checks them). */
const LATER_KEYS = ['duality_cos_mean', 'duality_cos_std', 'gnc2', 'perplexity'];

describe('closed-form metrics match the independent float64 fixtures', () => {
  const cases = [
    ['mixture_c10.npz', 'mixture_c10'],
    ['mixture_c10.safetensors', 'mixture_c10'],
    ['binary_const.npz', 'binary_const'],
    ['etf_c4.npz', 'etf_c4'],
  ] as const;
  for (const [file, name] of cases) {
    it(file, async () => {
      const dump = await readFeatureDump(resolve(DIR, file));
      const expected = JSON.parse(readFileSync(resolve(DIR, `${name}.expected.json`), 'utf8'));
      const got = computeDumpMetrics(dump);
      expectClose(got, expected, file);
      // Same layout: the test block holds exactly the expected per-split keys, plus those added after these fixtures.
      if (expected.test) expect(Object.keys(got.test ?? {}).sort()).toEqual([...Object.keys(expected.test), ...LATER_KEYS].sort());
      else expect(got.test).toBeUndefined();
    });
  }

  it('a subset of keys computes only those keys', async () => {
    const dump = await readFeatureDump(resolve(DIR, 'mixture_c10.npz'));
    const got = computeDumpMetrics(dump, ['nc1', 'test_acc', 'fro_norm']);
    expect(Object.keys(got).sort()).toEqual(['fro_norm', 'nc1', 'test', 'test_acc']);
    expect(Object.keys(got.test!)).toEqual(['nc1']);
  });
});
