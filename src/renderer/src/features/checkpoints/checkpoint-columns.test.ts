import { describe, expect, it } from 'vitest';
import { hasSpectrum, metricColumnCatalog, valuesByStep } from './checkpoint-columns';

describe('checkpoint metric columns', () => {
  it('offers every stored key once, in name order, with kappa and nc1 shown by default', () => {
    const cat = metricColumnCatalog([
      { step: 0, keys: ['nc1', 'kappa', 'weight_norm'] },
      { step: 10, keys: ['hessian_trace', 'kappa'] },
    ]);
    expect(cat.map((c) => c.id)).toEqual(['hessian_trace', 'kappa', 'nc1', 'weight_norm']);
    expect(cat.filter((c) => c.byDefault).map((c) => c.id)).toEqual(['kappa', 'nc1']);
  });

  it('reads the whole-model train value at each step, and the only split where there is one', () => {
    const series = [
      { key: 'kappa', split: 'test' as const, layer: '', steps: [0, 10], values: [9, 9] },
      { key: 'kappa', split: 'train' as const, layer: '', steps: [0, 10], values: [1.5, 0.25] },
      { key: 'kappa', split: 'train' as const, layer: 'layers.0.weight', steps: [0, 10], values: [7, 7] },
      { key: 'test_acc', split: 'test' as const, layer: '', steps: [10], values: [0.8] },
    ];
    expect([...valuesByStep(series, 'kappa')]).toEqual([
      [0, 1.5],
      [10, 0.25],
    ]);
    expect([...valuesByStep(series, 'test_acc')]).toEqual([[10, 0.8]]);
    expect(valuesByStep(series, 'nc1').size).toBe(0);
  });

  it('says "spectrum" only where the spectral density is stored (hessian_trace is closed form)', () => {
    expect(hasSpectrum(['hessian_trace', 'kappa'])).toBe(false);
    expect(hasSpectrum(['hessian_esd', 'hessian_top_eig'])).toBe(true);
  });
});
