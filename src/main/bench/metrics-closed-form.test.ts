import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { computeDumpMetrics } from '../ml/metrics/closed-form';
import { metricsClosedFormBench, runNumpyReference, syntheticDump, worstDisagreement } from './metrics-closed-form';

const hasNumpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('metrics_closed_form bench', () => {
  it('is named and measured in seconds', () => {
    expect(metricsClosedFormBench.name).toBe('metrics_closed_form_n60000_m512_c10');
    expect(metricsClosedFormBench.unit).toBe('s');
  });

  it('synthetic data is seeded', () => {
    const a = syntheticDump(50, 8, 3, 4);
    const b = syntheticDump(50, 8, 3, 4);
    expect(a.train.features).toEqual(b.train.features);
    expect(a.layer.weight).toEqual(b.layer.weight);
  });

  it('degrades gracefully without NumPy', () => {
    const lines: string[] = [];
    expect(runNumpyReference(syntheticDump(20, 4, 2), (l) => lines.push(l), '/nonexistent/python3')).toBeNull();
    expect(lines[0]).toMatch(/NumPy reference skipped/);
  });

  // Independent route: the NumPy reference computes every closed-form key its own way (n x m
  // matmuls, np.std, eigh); our passes must agree to float64 rounding.
  it.skipIf(!hasNumpy)('the NumPy reference agrees with computeDumpMetrics on every key', () => {
    const dump = syntheticDump(800, 24, 5, 2);
    const ref = runNumpyReference(dump, () => {});
    expect(ref).not.toBeNull();
    const ours = computeDumpMetrics(dump);
    for (const key of Object.keys(ref!.values)) expect(typeof ours[key], key).toBe('number');
    expect(worstDisagreement(ours, ref!.values).rel).toBeLessThan(1e-9);
  });
});
