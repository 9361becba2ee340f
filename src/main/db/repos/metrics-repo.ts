import type { MetricRow } from '../../../shared/jobs/messages';
import type { MetricSeries, Split } from '../../../shared/domain/types';
import type { Db } from '../connection';
import { readSeries } from './metric-series';

/** Rows per statement of insertSeries: past ~100 the gain levels off (SQLite allows 32766 parameters). */
const SERIES_ROWS = 128;

export function metricsRepo(db: Db) {
  // A value measured at a checkpoint (float64, checkpoint_id set) is never replaced by the training log's
  // float32 value of the same key at the same step, whichever arrives last: the log of the epoch that ends
  // at a checkpoint is posted after it, and was 1.4% off at a loss of 2.6e-5. Anything else: the newer wins.
  const insert = db.prepare(`INSERT INTO metrics (run_id, step, checkpoint_id, epoch, split, key, layer, value, details)
    VALUES (?, ?, (SELECT id FROM checkpoints WHERE run_id = ? AND step = ?), ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, key, split, layer, step) DO UPDATE SET
      checkpoint_id = excluded.checkpoint_id, epoch = excluded.epoch, value = excluded.value, details = excluded.details
    WHERE excluded.checkpoint_id IS NOT NULL OR metrics.checkpoint_id IS NULL`);
  const insertBatch = db.transaction((runId: number, rows: MetricRow[]) => {
    for (const r of rows) {
      insert.run(
        runId,
        r.step,
        runId,
        r.checkpointStep ?? -1,
        r.epoch,
        r.split,
        r.key,
        r.layer ?? '',
        r.value,
        r.details ? JSON.stringify(r.details) : null,
      );
    }
  });
  // A client's log: no checkpoint to look up, and a value measured at a checkpoint stays (as above).
  const insertLog = db.prepare(`INSERT INTO metrics (run_id, step, epoch, split, key, layer, value) VALUES (?, ?, ?, ?, ?, '', ?)
    ON CONFLICT (run_id, key, split, layer, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value
    WHERE metrics.checkpoint_id IS NULL`);
  const insertLogBatch = db.transaction((runId: number, rows: MetricRow[]) => {
    for (const r of rows) insertLog.run(runId, r.step, r.epoch, r.split, r.key, r.value);
  });
  // Log imports: many points of one series at once, SERIES_ROWS rows per statement (about 5x the row-at-a-time
  // insert: 2 million points of a 100 MB TensorBoard folder). Same conflict rule as above.
  const seriesValues = (n: number) => Array(n).fill("(?, ?, NULL, NULL, ?, ?, '', ?, NULL)").join(', ');
  const seriesSql = (n: number) => `INSERT INTO metrics (run_id, step, checkpoint_id, epoch, split, key, layer, value, details)
    VALUES ${seriesValues(n)} ON CONFLICT (run_id, key, split, layer, step) DO UPDATE SET
      checkpoint_id = excluded.checkpoint_id, epoch = excluded.epoch, value = excluded.value, details = excluded.details
    WHERE excluded.checkpoint_id IS NOT NULL OR metrics.checkpoint_id IS NULL`;
  const insertSeriesMany = db.prepare(seriesSql(SERIES_ROWS));
  const insertSeriesOne = db.prepare(seriesSql(1));
  const insertSeriesBatch = db.transaction(
    (runId: number, key: string, split: Split, steps: ArrayLike<number>, values: ArrayLike<number>) => {
      const args: (number | string)[] = new Array(5 * SERIES_ROWS);
      let i = 0;
      for (; i + SERIES_ROWS <= steps.length; i += SERIES_ROWS) {
        for (let j = 0; j < SERIES_ROWS; j++) {
          args[5 * j] = runId;
          args[5 * j + 1] = steps[i + j]!; // i + j < steps.length by the loop bound
          args[5 * j + 2] = split;
          args[5 * j + 3] = key;
          args[5 * j + 4] = values[i + j]!;
        }
        insertSeriesMany.run(...args);
      }
      for (; i < steps.length; i++) insertSeriesOne.run(runId, steps[i], split, key, values[i]);
    },
  );
  const rename = db.prepare('UPDATE OR REPLACE metrics SET layer = ? WHERE run_id = ? AND layer = ?');
  const renameAll = db.transaction((runId: number, names: Record<string, string>) => {
    for (const [from, to] of Object.entries(names)) if (from !== to) rename.run(to, runId, from);
  });
  return {
    /** Moves a run's per-layer rows to new layer names ({ old: new }); a row already under the new name is replaced. */
    renameLayers: (runId: number, names: Record<string, string>): void => renameAll(runId, names),
    /** Drops every row of a run (a run started over from scratch). */
    clear: (runId: number): void => void db.prepare('DELETE FROM metrics WHERE run_id = ?').run(runId),
    /** Writes a batch in one transaction; a non-finite value is refused by the NOT NULL column, so callers drop them first. */
    insertMany: (runId: number, rows: MetricRow[]): void => insertBatch(runId, rows),
    /** Logged points (layer '', no checkpoint) in one transaction: a resent point replaces itself. */
    insertLog: (runId: number, rows: MetricRow[]): void => insertLogBatch(runId, rows),
    /** Points of one series (steps[i], values[i]), no checkpoint, in one transaction: a training log's import. */
    insertSeries: (runId: number, key: string, split: Split, steps: ArrayLike<number>, values: ArrayLike<number>): void =>
      insertSeriesBatch(runId, key, split, steps, values),
    /** Every point of the series (reports); the contract's metrics.series reads them in the reader worker. */
    series: (runIds: number[], keys: string[], split?: Split): MetricSeries[] => readSeries(db, { runIds, keys, split }),
    /** The recorded details of one value (seed, iterations, a spectral density), or null. */
    details: (runId: number, key: string, step: number, split: Split, layer = ''): Record<string, unknown> | null => {
      const r = db
        .prepare<unknown[], { details: string | null }>(
          'SELECT details FROM metrics WHERE run_id = ? AND key = ? AND step = ? AND split = ? AND layer = ?',
        )
        .get(runId, key, step, split, layer);
      return r?.details ? JSON.parse(r.details) : null;
    },
    /** The metric keys stored at each checkpoint of a run (what the checkpoint browser lists as computed). */
    coverage: (runId: number): { step: number; keys: string[] }[] =>
      db
        .prepare<[number], { step: number; keys: string }>(
          `SELECT step, json_group_array(DISTINCT key) AS keys FROM metrics WHERE run_id = ? AND checkpoint_id IS NOT NULL GROUP BY step ORDER BY step`,
        )
        .all(runId)
        .map((r) => ({ step: r.step, keys: (JSON.parse(r.keys) as string[]).sort() })),
    /** Which keys a run has, per split: what the UI offers to plot. */
    keysOf: (runId: number) =>
      db
        .prepare<[number], { key: string; split: Split; n: number }>(
          'SELECT key, split, count(*) AS n FROM metrics WHERE run_id = ? GROUP BY key, split ORDER BY key, split',
        )
        .all(runId),
  };
}
export type MetricsRepo = ReturnType<typeof metricsRepo>;
