// A training log read from another tool (TensorBoard, W&B, MLflow): named series of (step, value) points
// and the settings the files state. Series are built here so every format merges, orders and names alike.
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

/** Metric keys keep letters, digits and `_ . - /`; any other run of characters becomes `_`, none at the ends (the tag is kept beside it). */
export function sanitiseKey(tag: string): string {
  const k = tag
    .trim()
    .replace(/[^A-Za-z0-9_.\-/]+/g, '_')
    .replace(/^[/._]+|[/_]+$/g, '');
  return k || 'value';
}

/** One tag's points so far, in growable float64 buffers: millions of points as JS arrays were mostly GC time. */
class Pending {
  steps = new Float64Array(64);
  values = new Float64Array(64);
  /** Order of arrival (wall time, or position), so a step logged twice keeps the value written later. */
  order = new Float64Array(64);
  n = 0;
  constructor(readonly tag: string) {}

  push(step: number, value: number, order: number): void {
    if (this.n === this.steps.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.steps = grow(this.steps);
      this.values = grow(this.values);
      this.order = grow(this.order);
    }
    this.steps[this.n] = step;
    this.values[this.n] = value;
    this.order[this.n++] = order;
  }

  /** Points by step; of a step written twice, the later (by order, then position) value. */
  ordered(): { steps: Float64Array; values: Float64Array } {
    const { n, steps, values, order } = this;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = steps[i] > steps[i - 1];
    if (sorted) return { steps: steps.slice(0, n), values: values.slice(0, n) };
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => steps[a] - steps[b] || order[a] - order[b] || a - b);
    const outSteps = new Float64Array(n);
    const outValues = new Float64Array(n);
    let m = 0;
    for (const i of idx) {
      if (m && outSteps[m - 1] === steps[i]) outValues[m - 1] = values[i];
      else {
        outSteps[m] = steps[i];
        outValues[m++] = values[i];
      }
    }
    return { steps: outSteps.slice(0, m), values: outValues.slice(0, m) };
  }
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
    if (!p) this.byTag.set(tag, (p = new Pending(tag)));
    p.push(step, value, order);
  }

  get points(): number {
    let n = 0;
    for (const p of this.byTag.values()) n += p.n;
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
      series.push({ key, tag: p.tag, ...p.ordered() });
    }
    const skipped = [...this.nonFinite].map(([tag, n]) => ({ name: tag, reason: `${n} NaN or infinite value(s) left out` }));
    return { series, skipped };
  }
}

/** The run's series in pieces of at most `size` points (views, not copies; split 'none': a log's tag says what it measures). */
export function* seriesChunks(run: LogRun, size = 50_000): Generator<{ key: string; steps: Float64Array; values: Float64Array }> {
  for (const s of run.series) {
    for (let i = 0; i < s.steps.length; i += size)
      yield { key: s.key, steps: s.steps.subarray(i, i + size), values: s.values.subarray(i, i + size) };
  }
}

/** What an import of `run` reports when done (the run's summary). */
export const logImportResult = (run: LogRun): Record<string, unknown> => ({
  format: run.format,
  points: pointCount(run),
  series: run.series.length,
  files: run.files.length,
  bytes: run.bytes,
  skipped: run.skipped,
});

export const pointCount = (run: LogRun): number => run.series.reduce((n, s) => n + s.steps.length, 0);
