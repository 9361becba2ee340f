// A training log read from another tool (TensorBoard, W&B, MLflow): named series of (step, value) points
// and the settings the files state. Series are built here so every format merges, orders and names alike.
import type { MetricRow } from '../../../shared/jobs/messages';
import type { ImportScalar, SkippedEntry } from '../import-types';

export interface LogSeries {
  /** The metric key the points are stored under (sanitised). */
  key: string;
  /** What the source called it (a TensorBoard tag, a W&B or MLflow key), shown beside the key. */
  tag: string;
  steps: Float64Array;
  values: Float64Array;
}

export interface LogRun {
  /** The format id that read it ('tensorboard', 'wandb', 'mlflow'). */
  format: string;
  /** The run's folder. */
  source: string;
  name: string;
  series: LogSeries[];
  /** The run's config as its files state it (W&B config, MLflow params): nothing filled in. */
  settings: Record<string, ImportScalar>;
  /** Where it came from beyond the settings (an MLflow experiment, a W&B summary), kept with the run. */
  meta: Record<string, ImportScalar>;
  skipped: SkippedEntry[];
  /** Files read, and their bytes. */
  files: string[];
  bytes: number;
}

/** Metric keys keep letters, digits and `_ . - /`; anything else becomes `_` (the tag itself is kept beside it). */
export function sanitiseKey(tag: string): string {
  const k = tag
    .trim()
    .replace(/[^A-Za-z0-9_.\-/]+/g, '_')
    .replace(/^[/.]+|\/+$/g, '');
  return k || 'value';
}

interface Pending {
  tag: string;
  steps: number[];
  values: number[];
  /** Order of arrival (wall time, or position), so a step logged twice keeps the later value. */
  order: number[];
}

/**
 * Collects points per tag. A step logged twice under one tag (a resumed run writes its steps again) keeps
 * the value written later; non-finite values are left out and counted, as SQLite has no NaN.
 */
export class SeriesBuilder {
  private byTag = new Map<string, Pending>();
  private nonFinite = new Map<string, number>();
  private arrival = 0;

  add(tag: string, step: number, value: number, order = this.arrival++): void {
    if (!Number.isFinite(value)) {
      this.nonFinite.set(tag, (this.nonFinite.get(tag) ?? 0) + 1);
      return;
    }
    let p = this.byTag.get(tag);
    if (!p) this.byTag.set(tag, (p = { tag, steps: [], values: [], order: [] }));
    p.steps.push(step);
    p.values.push(value);
    p.order.push(order);
  }

  get points(): number {
    let n = 0;
    for (const p of this.byTag.values()) n += p.steps.length;
    return n;
  }

  /** The series, keys unique (a clash after sanitising gets `_2`, `_3`), points by step; and what was left out. */
  finish(): { series: LogSeries[]; skipped: SkippedEntry[] } {
    const used = new Set<string>();
    const series: LogSeries[] = [];
    for (const p of this.byTag.values()) {
      let key = sanitiseKey(p.tag);
      for (let i = 2; used.has(key); i++) key = `${sanitiseKey(p.tag)}_${i}`;
      used.add(key);
      series.push({ key, tag: p.tag, ...ordered(p) });
    }
    const skipped = [...this.nonFinite].map(([tag, n]) => ({ name: tag, reason: `${n} NaN or infinite value(s) left out` }));
    return { series, skipped };
  }
}

function ordered(p: Pending): { steps: Float64Array; values: Float64Array } {
  const n = p.steps.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  // Usually already in order: check before sorting.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = p.steps[i] > p.steps[i - 1];
  if (!sorted) idx.sort((a, b) => p.steps[a] - p.steps[b] || p.order[a] - p.order[b] || a - b);
  const steps: number[] = [];
  const values: number[] = [];
  for (const i of idx) {
    if (steps.length && steps[steps.length - 1] === p.steps[i])
      values[values.length - 1] = p.values[i]; // the later one wins
    else {
      steps.push(p.steps[i]);
      values.push(p.values[i]);
    }
  }
  return { steps: Float64Array.from(steps), values: Float64Array.from(values) };
}

/** The run's points as metric rows (split 'none': a log's tag says what it measures), in batches of `size`. */
export function* logRows(run: LogRun, size = 100_000): Generator<MetricRow[]> {
  let batch: MetricRow[] = [];
  for (const s of run.series) {
    for (let i = 0; i < s.steps.length; i++) {
      batch.push({ step: s.steps[i], epoch: null, split: 'none', key: s.key, value: s.values[i] });
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}

export const pointCount = (run: LogRun): number => run.series.reduce((n, s) => n + s.steps.length, 0);
