import type { MetricSeries } from '../../../shared/domain/types';
import type { MetricRow } from '../../../shared/jobs/messages';

/**
 * Adds live metric rows to cached series, keeping each series in step order and one value per step
 * (the database's rule): a metrics job re-measures steps the epoch log already has, and its
 * checkpoint steps (0, 1, 2, ...) arrive after later epochs.
 */
export function mergeRows(old: MetricSeries[], runId: number, rows: readonly MetricRow[], keys: readonly string[]): MetricSeries[] {
  const next = old.map((s) => ({ ...s }));
  for (const r of rows) {
    if (!keys.includes(r.key)) continue;
    const layer = r.layer ?? '';
    let s = next.find((x) => x.runId === runId && x.key === r.key && x.split === r.split && x.layer === layer);
    if (!s) next.push((s = { runId, key: r.key, split: r.split, layer, steps: [], epochs: [], values: [] }));
    const last = s.steps.length - 1;
    if (last < 0 || r.step > s.steps[last]) {
      s.steps = [...s.steps, r.step];
      s.epochs = [...s.epochs, r.epoch];
      s.values = [...s.values, r.value];
      continue;
    }
    // Out of order or a repeat: binary search for the step, replace or insert there.
    let lo = 0;
    let hi = s.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s.steps[mid] < r.step) lo = mid + 1;
      else hi = mid;
    }
    const replace = s.steps[lo] === r.step ? 1 : 0;
    s.steps = [...s.steps.slice(0, lo), r.step, ...s.steps.slice(lo + replace)];
    s.epochs = [...s.epochs.slice(0, lo), r.epoch, ...s.epochs.slice(lo + replace)];
    s.values = [...s.values.slice(0, lo), r.value, ...s.values.slice(lo + replace)];
  }
  return next;
}
