import type { Run } from '../../../../shared/domain/types';
import type { ColumnInfo, FinalColumn } from './column-visibility';

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

/**
 * The settings whose values differ between the runs that have them: what the table shows by default. A key
 * only some runs have (an import's file metadata, an optimizer kind's own settings) is not itself a difference,
 * so one import beside trained runs no longer adds a column per setting of either.
 */
export function differingKeys(runs: Run[]): string[] {
  const flat = runs.map((r) => flattenConfig(r.config));
  const keys = new Set(flat.flatMap((f) => Object.keys(f)));
  keys.delete('seed');
  return [...keys].filter((k) => new Set(flat.filter((f) => k in f && f[k] !== null).map((f) => JSON.stringify(f[k]))).size > 1).sort();
}

/** Final train/test accuracy of a run from its summary, when it has one. */
export function finalOf(run: Run, key: 'train_acc' | 'test_acc' | 'train_loss' | 'test_loss'): number | null {
  const last = (run.summary as { last?: Record<string, number> }).last;
  return typeof last?.[key] === 'number' ? last[key] : null;
}

/**
 * A final value of a run: its summary's last logged values (or `live` ones while training), the train - test
 * accuracy gap, or (kappa, nc1) the last checkpoint measured.
 */
export function finalColumnValue(
  run: Run,
  id: FinalColumn,
  measured: Record<'kappa' | 'nc1', Map<number, number>>,
  live?: Record<string, number>,
): number | null {
  const logged = (k: 'train_acc' | 'test_acc' | 'train_loss' | 'test_loss') => live?.[k] ?? finalOf(run, k);
  if (id === 'kappa' || id === 'nc1') return measured[id].get(run.id) ?? null;
  if (id === 'gap_acc') {
    const [train, test] = [logged('train_acc'), logged('test_acc')];
    return train !== null && test !== null ? train - test : null;
  }
  return logged(id);
}

/** The runs table as CSV: the run id, then the columns the reader shows, in the table's order, with stored values. */
export function runsCsv(
  runs: Run[],
  catalog: ColumnInfo[],
  visibility: Record<string, boolean>,
  measured: Record<'kappa' | 'nc1', Map<number, number>>,
) {
  // the table's order: the run's identity, its settings, backend, final values, tags (RunsTable's columns)
  const rank = (c: ColumnInfo) => (c.group === 'config' ? 1 : c.id === 'backend' ? 2 : c.group === 'final' ? 3 : c.id === 'tags' ? 4 : 0);
  const shown = catalog.filter((c) => visibility[c.id]).sort((a, b) => rank(a) - rank(b));
  const cell = (r: Run, c: ColumnInfo): Scalar => {
    if (c.group === 'final') return finalColumnValue(r, c.id as FinalColumn, measured);
    if (c.group === 'config') return flattenConfig(r.config)[c.id.slice(3)] ?? null;
    if (c.id === 'tags') return r.tags.join(' ');
    return (r as unknown as Record<string, Scalar>)[c.id] ?? null;
  };
  return {
    header: ['id', ...shown.map((c) => (c.group === 'config' ? c.id.slice(3) : c.id))],
    rows: runs.map((r) => [r.id, ...shown.map((c) => cell(r, c))]),
  };
}
