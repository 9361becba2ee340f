import type { MetricSeries } from '../../../../shared/domain/types';
import type { Series } from '../../charts/line-option';

/** Picks series of one key per split out of a run's metric series, x = epoch (else step). */
export function curves(all: MetricSeries[] | undefined, keys: string[], label: (s: MetricSeries) => string): Series[] {
  return (all ?? [])
    .filter((s) => keys.includes(s.key))
    .map((s) => ({ name: label(s), x: s.epochs.map((e, i) => e ?? s.steps[i]), y: s.values }));
}
