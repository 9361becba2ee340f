import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { differingKeys, flattenConfig } from './run-columns';

export type ColumnGroup = 'run' | 'final' | 'config' | 'metric';

export interface ColumnInfo {
  id: string;
  label: string;
  group: ColumnGroup;
  /** Shown unless the reader chose otherwise. */
  byDefault: boolean;
}

/** Final values a column can show: from the training log's summary, or (kappa, nc1) the last checkpoint measured. */
export const FINAL_COLUMNS = [
  { id: 'train_acc', label: 'Train acc', byDefault: true },
  { id: 'test_acc', label: 'Test acc', byDefault: true },
  { id: 'gap_acc', label: 'Gap (train − test acc)', byDefault: true },
  { id: 'train_loss', label: 'Train loss', byDefault: false },
  { id: 'test_loss', label: 'Test loss', byDefault: false },
  { id: 'kappa', label: 'kappa (train)', byDefault: false },
  { id: 'nc1', label: 'nc1 (train)', byDefault: false },
] as const;
export type FinalColumn = (typeof FINAL_COLUMNS)[number]['id'];

const RUN_COLUMNS: ColumnInfo[] = [
  { id: 'name', label: 'Name', group: 'run', byDefault: true },
  { id: 'status', label: 'Status', group: 'run', byDefault: true },
  { id: 'preset', label: 'Preset', group: 'run', byDefault: true },
  { id: 'seed', label: 'Seed', group: 'run', byDefault: true },
  { id: 'backend', label: 'Backend', group: 'run', byDefault: false },
  { id: 'tags', label: 'Tags', group: 'run', byDefault: true },
];

/**
 * Every column the runs table can show. Each setting of the runs' configs is one; only those that differ
 * between the runs are shown by default (the rest say the same thing on every row).
 */
export function columnCatalog(runs: Run[]): ColumnInfo[] {
  const varying = new Set(differingKeys(runs));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(flattenConfig(r.config))))].filter((k) => k !== 'seed').sort();
  return [
    ...RUN_COLUMNS,
    ...FINAL_COLUMNS.map((c): ColumnInfo => ({ ...c, group: 'final' })),
    ...keys.map((k): ColumnInfo => ({ id: `hp:${k}`, label: k, group: 'config', byDefault: varying.has(k) })),
  ];
}

/** The reader's choices win; any other column follows its default (so a setting that starts to vary appears). */
export function visibleColumns(catalog: ColumnInfo[], chosen: Record<string, boolean>): Record<string, boolean> {
  return Object.fromEntries(catalog.map((c) => [c.id, chosen[c.id] ?? c.byDefault]));
}

export const storageKey = (projectId: number) => `plateau.runsColumns.${projectId}`;

/** The choices saved for a project; anything unreadable (hand-edited, another version) counts as none. */
export function parseChoices(text: string | null): Record<string, boolean> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter(([, b]) => typeof b === 'boolean')) as Record<string, boolean>;
  } catch {
    return {};
  }
}

/** The last value of a metric's whole-model row on the train split, per run (what the kappa and nc1 columns show). */
export function lastValues(series: Pick<MetricSeries, 'runId' | 'key' | 'split' | 'layer' | 'values'>[], key: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series) {
    if (s.key === key && s.split === 'train' && s.layer === '' && s.values.length) out.set(s.runId, s.values[s.values.length - 1]);
  }
  return out;
}
