import type { MetricSeries } from '../../../../shared/domain/types';
import type { ColumnInfo } from '../runs/column-visibility';

/** Metric columns the checkpoint table shows until the reader chooses: the headline measures, where stored. */
const DEFAULT_KEYS = ['kappa', 'nc1', 'hessian_top_eig'];

/** The saved column choices of a project's checkpoint table (apart from the runs table's). */
export const checkpointColumnsKey = (projectId: number) => `plateau.checkpointColumns.${projectId}`;

/** One column per metric key stored at any checkpoint of the run, in name order. */
export function metricColumnCatalog(coverage: { step: number; keys: string[] }[]): ColumnInfo[] {
  const keys = [...new Set(coverage.flatMap((c) => c.keys))].sort();
  return keys.map((k) => ({ id: k, label: k, group: 'metric', byDefault: DEFAULT_KEYS.includes(k) }));
}

/**
 * The value a key's column shows at each step: the whole-model row (layer ''), the train split where both
 * splits are stored (what the training data's geometry says), else the one split there is.
 */
export function valuesByStep(
  series: Pick<MetricSeries, 'key' | 'split' | 'layer' | 'steps' | 'values'>[],
  key: string,
): Map<number, number> {
  const whole = series.filter((s) => s.key === key && s.layer === '');
  const chosen = whole.find((s) => s.split === 'train') ?? whole[0];
  const out = new Map<number, number>();
  if (chosen) chosen.steps.forEach((step, i) => out.set(step, chosen.values[i]));
  return out;
}

/** "+ spectrum" belongs to a checkpoint with a Hessian spectral density, not to one with the closed-form trace only. */
export const hasSpectrum = (keys: string[]) => keys.includes('hessian_esd');
