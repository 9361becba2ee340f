import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../api/errors';
import { METRIC_FAMILIES, keysOfFamily, keysOfProducer, metric, metricDescriptors, metricInfo, registerMetric, resolveJobKeys } from '.';

// Isomorphism (no node: imports) is enforced by tsconfig.web.json, which has no Node types.
// Every key named in METRICS.md's tables, plus kappa_layer (its hidden-layer kappa); kept here so a removed key fails loudly.
const CONTRACT = [
  'kappa',
  'kappa_sigma',
  'kappa_fam',
  'hessian_trace',
  'flatness_bound',
  'kappa_layer',
  'nc1',
  'nc2_equinorm_means',
  'nc2_equinorm_classifiers',
  'nc2_equiangular',
  'nc2_angle_std',
  'nc3',
  'nc4',
  'cdnv',
  'gnc2',
  'duality_cos_mean',
  'duality_cos_std',
  'train_loss',
  'test_loss',
  'train_acc',
  'test_acc',
  'gap_loss',
  'gap_acc',
  'perplexity',
  // "Named evaluation sets": a set's loss and accuracy under its name
  'loss',
  'acc',
  'hessian_top_eig',
  'hessian_top_eigs',
  'hessian_trace_hutch',
  'hessian_esd',
  'fro_norm',
  'spectral_norm',
  'stable_rank',
  'dist_from_init',
  'ww_alpha',
];

describe('metric registry', () => {
  it('holds exactly the METRICS.md keys, once each, fully described', () => {
    expect(
      metricDescriptors()
        .map((k) => k.key)
        .sort(),
    ).toEqual([...CONTRACT].sort());
    for (const k of metricDescriptors()) {
      expect(METRIC_FAMILIES).toContain(k.family);
      for (const field of ['label', 'description', 'formula', 'citation'] as const)
        expect(k[field].length, `${k.key}.${field}`).toBeGreaterThan(2);
    }
  });

  it('Hessian keys need the model, weights-only keys need weights', () => {
    expect(keysOfFamily('hessian').map((k) => metricInfo(k)!.needs)).toEqual(['model', 'model', 'model', 'model']);
    expect(new Set(keysOfFamily('weights').map((k) => metricInfo(k)!.needs))).toEqual(new Set(['weights']));
    expect(keysOfProducer('hessian').sort()).toEqual([
      'hessian_esd',
      'hessian_top_eig',
      'hessian_top_eigs',
      'hessian_trace_hutch',
      'kappa_layer',
    ]);
    expect(metricInfo('nope')).toBeUndefined();
  });

  it('says where each key is stored: per-split families on both splits, gaps on none, top-k per index, layer kappa per layer', () => {
    expect(metricInfo('nc1')!.splits).toEqual(['train', 'test']);
    expect(metricInfo('test_acc')!.splits).toEqual(['test']);
    expect(metricInfo('gap_loss')!.splits).toEqual(['none']);
    expect(metricInfo('hessian_top_eigs')!.parts).toBe('index');
    expect(metricInfo('kappa_layer')!.parts).toBe('each');
    expect(metricInfo('fro_norm')!.parts).toBe('last-and-each');
    // the log axes compare-data used to guess from the key names (gap_loss, which can be negative, no longer)
    const logKeys = metricDescriptors()
      .filter((d) => d.logScale)
      .map((d) => d.key)
      .sort();
    expect(logKeys).toEqual([
      'cdnv',
      'flatness_bound',
      'hessian_trace',
      'kappa',
      'kappa_fam',
      'kappa_layer',
      'kappa_sigma',
      'loss',
      'nc1',
      'perplexity',
      'test_loss',
      'train_loss',
    ]);
  });

  it("resolves a job's keys: the defaults, the Hessian set, or the named ones in registry order", () => {
    const defaults = resolveJobKeys(undefined);
    expect(defaults).toContain('kappa');
    expect(defaults).toContain('fro_norm');
    expect(defaults.some((k) => metricInfo(k)!.producer === 'hessian')).toBe(false);
    expect(resolveJobKeys(undefined, true).filter((k) => metricInfo(k)!.producer === 'hessian')).toEqual([
      'hessian_top_eig',
      'hessian_trace_hutch',
      'hessian_esd',
    ]);
    expect(resolveJobKeys(['hessian_top_eigs', 'kappa_layer', 'kappa_layer'])).toEqual(['kappa_layer', 'hessian_top_eigs']);
    expect(() => resolveJobKeys(['kapa', 'nc9'])).toThrow(/unknown metrics 'kapa', 'nc9'; known: kappa, /);
  });

  it('refuses a clashing or malformed descriptor with the field named', () => {
    const ok = metric({
      key: 'toy_ok',
      family: 'weights',
      label: 'Toy',
      description: 'd',
      formula: 'f',
      citation: 'c',
      needs: 'weights',
      producer: 'plugin:toy',
      splits: ['none'],
    });
    expect(() => registerMetric({ ...ok, key: 'kappa' })).toThrow(/'kappa': key is already registered/);
    expect(() => registerMetric({ ...ok, key: 'Bad-Key' })).toThrow(PlateauError);
    expect(() => registerMetric({ ...ok, splits: ['val' as never] })).toThrow(/splits must list some of train, test, none/);
    expect(() => registerMetric({ ...ok, family: 'misc' as never })).toThrow(/family must be one of/);
    expect(metricInfo('toy_ok')).toBeUndefined();
  });
});
