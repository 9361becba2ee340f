import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, PRESETS, preset } from './presets';
import { trainConfigSchema } from './train-config';

describe('presets', () => {
  it('are valid configs with a description', () => {
    expect(PRESET_NAMES).toEqual(['grokking-mlp', 'grokking-interventions', 'grokking-anti-flatness', 'grokking-anti-collapse', 'double-descent', 'fashion-mnist-mlp', 'grokking-transformer']);
    for (const name of PRESET_NAMES) {
      expect(trainConfigSchema.safeParse(PRESETS[name].config).success, name).toBe(true);
      expect(PRESETS[name].description.length).toBeGreaterThan(20);
    }
  });

  it('grokking interventions: 1400 epochs, term in epochs 1-400 with T = 2 and unit-norm features', () => {
    const flat = trainConfigSchema.parse(preset('grokking-interventions'));
    expect(flat.epochs).toBe(1400);
    expect(flat.interventions).toEqual([
      { kind: 'anti-flatness', lambda: 1e-3, fromEpoch: 1, toEpoch: 400, temperature: 2, unitNormFeatures: true },
    ]);
    expect(trainConfigSchema.parse(preset('grokking-anti-collapse')).interventions[0]).toMatchObject({ kind: 'anti-collapse', lambda: 1e-4 });
    expect(flat.model).toEqual(trainConfigSchema.parse(preset('grokking-mlp')).model);
  });

  it('double-descent names a sweep path that exists in its config', () => {
    const p = PRESETS['double-descent'];
    expect(p.sweep?.path).toBe('model.hidden.0');
    expect((p.config.model as { hidden: number[] }).hidden[0]).toBeTypeOf('number');
    expect(p.config.dataset).toMatchObject({ labelNoise: 0.2 });
  });

  it('returns deep copies and rejects unknown names', () => {
    const a = preset('grokking-mlp', { epochs: 3 });
    expect(a.epochs).toBe(3);
    (a.optimizer as { lr: number }).lr = 99;
    expect((PRESETS['grokking-mlp'].config.optimizer as { lr: number }).lr).toBe(1e-2);
    expect(() => preset('nope')).toThrow(/^preset must be one of grokking-mlp, /);
  });
});
