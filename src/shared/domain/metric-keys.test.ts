import { describe, expect, it } from 'vitest';
import { METRIC_FAMILIES, METRIC_KEYS, keysOfFamily, metricKeyInfo } from './metric-keys';

// Isomorphism (no node: imports) is enforced by tsconfig.web.json, which has no Node types.
// Every key named in METRICS.md's tables; kept here so a removed key fails loudly.
const CONTRACT = [
  'kappa', 'kappa_sigma', 'kappa_fam', 'hessian_trace', 'flatness_bound',
  'nc1', 'nc2_equinorm_means', 'nc2_equinorm_classifiers', 'nc2_equiangular', 'nc2_angle_std', 'nc3', 'nc4', 'cdnv',
  'train_loss', 'test_loss', 'train_acc', 'test_acc', 'gap_loss', 'gap_acc',
  'hessian_top_eig', 'hessian_top_eigs', 'hessian_trace_hutch', 'hessian_esd',
  'fro_norm', 'spectral_norm', 'stable_rank', 'dist_from_init', 'ww_alpha',
];

describe('metric-keys catalogue', () => {
  it('holds exactly the METRICS.md keys, once each, fully described', () => {
    expect(METRIC_KEYS.map((k) => k.key).sort()).toEqual([...CONTRACT].sort());
    for (const k of METRIC_KEYS) {
      expect(METRIC_FAMILIES).toContain(k.family);
      for (const field of ['label', 'description', 'formula', 'citation'] as const) expect(k[field].length, `${k.key}.${field}`).toBeGreaterThan(2);
    }
  });

  it('Hessian keys need the model, weights-only keys need weights', () => {
    expect(keysOfFamily('hessian').map((k) => metricKeyInfo(k)!.needs)).toEqual(['model', 'model', 'model', 'model']);
    expect(new Set(keysOfFamily('weights').map((k) => metricKeyInfo(k)!.needs))).toEqual(new Set(['weights']));
    expect(metricKeyInfo('nope')).toBeUndefined();
  });
});
