import { describe, expect, it } from 'vitest';
import { DEBIAN_FASHION_MNIST_DIR, PRESET_NAMES, PRESETS, preset } from './presets';
import { trainConfigSchema } from './train-config';

describe('presets', () => {
  it('are valid configs with a description', () => {
    expect(PRESET_NAMES).toEqual([
      'grokking-mlp',
      'grokking-interventions',
      'grokking-anti-flatness',
      'grokking-anti-collapse',
      'double-descent',
      'fashion-mnist-mlp',
      'nc-fashion-mnist',
      'grokking-transformer',
      'lm-bytes-en',
      'lm-flatness-placement',
      'lm-cross-lingual',
    ]);
    for (const name of PRESET_NAMES) {
      expect(trainConfigSchema.safeParse(PRESETS[name].config).success, name).toBe(true);
      expect(PRESETS[name].description.length).toBeGreaterThan(20);
    }
  });

  it('grokking-interventions is a study: baseline, anti-flatness and anti-collapse, 1400 epochs each, seeds 0-2', () => {
    const study = PRESETS['grokking-interventions'].study!;
    expect(Object.keys(study.variants)).toEqual(['baseline', 'anti-flatness', 'anti-collapse']);
    expect(study.seeds).toEqual([0, 1, 2]);
    const [base, flat, collapse] = Object.values(study.variants).map((c) => trainConfigSchema.parse(c));
    const grok = trainConfigSchema.parse(preset('grokking-mlp'));
    expect(base).toEqual({ ...grok, epochs: 1400, checkpoints: { ...grok.checkpoints, everyEpochs: 100 } });
    expect(flat.interventions).toEqual([
      { kind: 'anti-flatness', lambda: 1e-3, fromEpoch: 1, toEpoch: 400, temperature: 2, unitNormFeatures: true },
    ]);
    expect(collapse.interventions).toEqual([
      { kind: 'anti-collapse', lambda: 1e-4, fromEpoch: 1, toEpoch: 400, temperature: 2, unitNormFeatures: true },
    ]);
    for (const c of [flat, collapse]) expect({ ...c, interventions: [] }).toEqual({ ...base, interventions: [] });
    expect(trainConfigSchema.parse(preset('grokking-anti-flatness'))).toEqual(flat);
    expect(trainConfigSchema.parse(preset('grokking-anti-collapse'))).toEqual(collapse);
  });

  it('lm-flatness-placement is a study: lm-bytes-en shortened, plain vs kappa_fam at head / block 0 / all, seeds 0-2', () => {
    const study = PRESETS['lm-flatness-placement'].study!;
    expect(Object.keys(study.variants)).toEqual(['baseline', 'fam-head', 'fam-block0', 'fam-all']);
    expect(study.seeds).toEqual([0, 1, 2]);
    const [base, ...placed] = Object.values(study.variants).map((c) => trainConfigSchema.parse(c));
    const lm = trainConfigSchema.parse(preset('lm-bytes-en'));
    expect({ ...base, dataset: lm.dataset, schedule: lm.schedule, epochs: 3, logEverySteps: 50, checkpoints: lm.checkpoints }).toEqual(lm);
    expect(base.dataset).toEqual({ ...lm.dataset, trainSize: 3200 });
    expect(base.interventions).toEqual([]);
    expect(placed.map((c) => c.interventions.map((t) => [t.kind, t.lambda, t.placement, t.fromEpoch, t.toEpoch]))).toEqual([
      [['fam', 1, 'head', 1, undefined]],
      [['fam', 20, 'block:0', 1, undefined]],
      [['fam', 1, 'all', 1, undefined]],
    ]);
    for (const c of placed) expect({ ...c, interventions: [] }).toEqual(base);
  });

  it('double-descent names a sweep path that exists in its config', () => {
    const p = PRESETS['double-descent'];
    expect(p.sweep?.path).toBe('model.hidden.0');
    expect((p.config.model as { hidden: number[] }).hidden[0]).toBeTypeOf('number');
    expect(p.config.dataset).toMatchObject({ labelNoise: 0.2 });
  });

  it('nc-fashion-mnist trains an MLP on all of Fashion-MNIST with checkpoints every 2 epochs through the terminal phase', () => {
    const c = trainConfigSchema.parse(preset('nc-fashion-mnist'));
    expect(c.dataset).toEqual({ kind: 'idx', dir: DEBIAN_FASHION_MNIST_DIR, classBalanced: false, labelNoise: 0, normalize: 'none' });
    expect(c.model.kind).toBe('mlp');
    expect(c.logEvery).toBe(1); // train error read every epoch: the terminal phase starts at the first epoch with none
    expect(c.checkpoints).toEqual({ perDecade: 1, everyEpochs: 2, firstAndLast: true });
  });

  it('returns deep copies and rejects unknown names', () => {
    const a = preset('grokking-mlp', { epochs: 3 });
    expect(a.epochs).toBe(3);
    (a.optimizer as { lr: number }).lr = 99;
    expect((PRESETS['grokking-mlp'].config.optimizer as { lr: number }).lr).toBe(1e-2);
    expect(() => preset('nope')).toThrow(/^There is no preset 'nope'. Presets: grokking-mlp, /);
    expect(() => preset('grokking-mpl')).toThrow("There is no preset 'grokking-mpl'. Did you mean 'grokking-mlp'?");
  });
});
