import { lttbIndices } from '../../../shared/domain/downsample';
import type { MetricSeries, Split } from '../../../shared/domain/types';
import type { Db } from '../connection';

export interface SeriesQuery {
  runIds: number[];
  keys: string[];
  split?: Split;
  /** Downsample each series to at most this many points (LTTB), as it is read. */
  maxPoints?: number;
}

type Raw = [runId: number, key: string, split: Split, layer: string, step: number, epoch: number | null, value: number];

/** Keeps at most maxPoints of a series, chosen by LTTB so the line keeps its shape. */
export function downsample(s: MetricSeries, maxPoints?: number): MetricSeries {
  if (!maxPoints || s.steps.length <= maxPoints) return s;
  const kept = lttbIndices(s.steps, s.values, maxPoints);
  // lttbIndices returns indices into the series
  return { ...s, steps: kept.map((i) => s.steps[i]!), epochs: kept.map((i) => s.epochs[i]!), values: kept.map((i) => s.values[i]!) };
}

/**
 * Plot-ready columnar series: one per run, key, split and layer, ordered as the primary key
 * (run_id, key, split, layer, step), which the query walks without a sort (EXPLAIN QUERY PLAN:
 * SEARCH metrics USING PRIMARY KEY (run_id=? AND key=?)). Rows are read as arrays and each series is
 * downsampled as soon as it is complete, so a 5M-row Compare never holds 5M row objects.
 */
export function readSeries(db: Db, q: SeriesQuery): MetricSeries[] {
  const stmt = db
    .prepare<unknown[], Raw>(
      `SELECT run_id, key, split, layer, step, epoch, value FROM metrics
     WHERE run_id IN (SELECT value FROM json_each(?)) AND key IN (SELECT value FROM json_each(?)) ${q.split ? 'AND split = ?' : ''}
     ORDER BY run_id, key, split, layer, step`,
    )
    .raw(true);
  const out: MetricSeries[] = [];
  let cur: MetricSeries | undefined;
  for (const [runId, key, split, layer, step, epoch, value] of stmt.iterate(
    JSON.stringify(q.runIds),
    JSON.stringify(q.keys),
    ...(q.split ? [q.split] : []),
  )) {
    if (!cur || cur.runId !== runId || cur.key !== key || cur.split !== split || cur.layer !== layer) {
      if (cur) out.push(downsample(cur, q.maxPoints));
      cur = { runId, key, split, layer, steps: [], epochs: [], values: [] };
    }
    cur.steps.push(step);
    cur.epochs.push(epoch);
    cur.values.push(value);
  }
  if (cur) out.push(downsample(cur, q.maxPoints));
  return out;
}
