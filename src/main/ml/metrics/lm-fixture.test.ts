import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFeatureDump } from '../../io/feature-dump';
import { computeDumpMetrics } from './closed-form';

// Independent route: lm_zipf_v2000 (METRICS.md, "Many classes") with values from a float64 NumPy
// implementation. The fixture lives in shared/ beside the repository (CI has a copy there; a git
// worktree under wt/ has it two levels up).
const ROOT = resolve(__dirname, '../../../..');
const DIR = ['../shared/fixtures/metrics', '../../shared/fixtures/metrics']
  .map((p) => resolve(ROOT, p))
  .find((d) => existsSync(resolve(d, 'lm_zipf_v2000.npz')));

function expectClose(actual: Record<string, unknown>, expected: Record<string, unknown>, where: string): void {
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'test' || key.startsWith('_')) continue;
    const got = actual[key];
    expect(typeof got, `${where}.${key}`).toBe('number');
    const tol = Math.max(1e-6 * Math.abs(want as number), 1e-9);
    expect(Math.abs((got as number) - (want as number)), `${where}.${key}: got ${got}, expected ${want}`).toBeLessThanOrEqual(tol);
  }
}

describe('vocabulary-scale metrics match the lm_zipf_v2000 fixture', () => {
  it('finds the shared fixtures beside the repository', () => {
    expect(DIR, `lm_zipf_v2000.npz not found in ${ROOT}/../shared or ${ROOT}/../../shared`).toBeDefined();
  });

  it.runIf(DIR)(
    'every closed-form key on both splits, the collapse keys on the 1024 most frequent classes',
    async () => {
      const dump = await readFeatureDump(resolve(DIR!, 'lm_zipf_v2000.npz'));
      const expected = JSON.parse(readFileSync(resolve(DIR!, 'lm_zipf_v2000.expected.json'), 'utf8'));
      const got = computeDumpMetrics(dump);
      expectClose(got, expected, 'train');
      expectClose(got.test as Record<string, number>, expected.test, 'test');
      expect(got.collapse?.collapse_top_k).toBe(expected._collapse_top_k);
      expect(got.collapse?.classes_present).toBe(expected._classes_present);
    },
    300_000,
  );
});
