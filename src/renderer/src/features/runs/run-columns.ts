import type { Run } from '../../../../shared/domain/types';

type Scalar = string | number | boolean | null;

/** A run's config as dotted keys with scalar values (arrays become their JSON text). */
export function flattenConfig(config: unknown, prefix = '', out: Record<string, Scalar> = {}): Record<string, Scalar> {
  if (config === null || typeof config !== 'object') {
    out[prefix] = config as Scalar;
    return out;
  }
  if (Array.isArray(config)) {
    out[prefix] = JSON.stringify(config);
    return out;
  }
  for (const [k, v] of Object.entries(config)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** The hyperparameters that differ between these runs (the seed has its own column): the ones worth a column. */
export function varyingKeys(runs: Run[]): string[] {
  const flat = runs.map((r) => flattenConfig(r.config));
  const keys = new Set(flat.flatMap((f) => Object.keys(f)));
  keys.delete('seed');
  return [...keys].filter((k) => new Set(flat.map((f) => JSON.stringify(f[k] ?? null))).size > 1).sort();
}

/** Final train/test accuracy of a run from its summary, when it has one. */
export function finalOf(run: Run, key: 'train_acc' | 'test_acc' | 'train_loss' | 'test_loss'): number | null {
  const last = (run.summary as { last?: Record<string, number> }).last;
  return typeof last?.[key] === 'number' ? last[key] : null;
}
