import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lttbIndices } from '../../shared/domain/downsample';
import type { MetricSeries } from '../../shared/domain/types';
import { openDatabase, type Db } from './connection';
import { DbReader } from './db-reader';
import { createRepos } from './repos';

/** The reader worker (the built out/main/reader.worker.js) against a real database file. */
let cleanup: () => Promise<void> = async () => {};
afterEach(async () => cleanup());

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-reader-'));
  const db = openDatabase(join(dir, 'plateau.db'));
  const repos = createRepos(db);
  const reader = new DbReader(db);
  cleanup = async () => {
    await reader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const p = repos.projects.create('P');
  const run = (name: string) => repos.runs.create({ projectId: p.id, name, config: {}, status: 'succeeded' }).id;
  return { db, repos, reader, run };
}
const decode = (json: Uint8Array) => JSON.parse(new TextDecoder().decode(json)) as MetricSeries[];

describe('DbReader', () => {
  it('reads series in the worker exactly as stored, one per run, key, split and layer', async () => {
    const { repos, reader, run } = fixture();
    const a = run('a');
    const b = run('b');
    repos.metrics.insertMany(a, [
      { step: 2, epoch: 2, split: 'train', key: 'train_loss', value: 0.5 },
      { step: 1, epoch: 1, split: 'train', key: 'train_loss', value: 0.75 },
      { step: 1, epoch: null as unknown as number, split: 'none', key: 'fro_norm', layer: 'l1', value: 3 },
      { step: 1, epoch: 1, split: 'test', key: 'test_acc', value: 0.25 },
    ]);
    repos.metrics.insertMany(b, [{ step: 5, epoch: 1, split: 'train', key: 'train_loss', value: 1.5 }]);
    const got = decode((await reader.series({ runIds: [b, a], keys: ['train_loss', 'fro_norm'] })).json);
    expect(got).toEqual([
      { runId: a, key: 'fro_norm', split: 'none', layer: 'l1', steps: [1], epochs: [null], values: [3] },
      { runId: a, key: 'train_loss', split: 'train', layer: '', steps: [1, 2], epochs: [1, 2], values: [0.75, 0.5] },
      { runId: b, key: 'train_loss', split: 'train', layer: '', steps: [5], epochs: [1], values: [1.5] },
    ]);
    expect(decode((await reader.series({ runIds: [a], keys: ['train_loss', 'test_acc'], split: 'test' })).json)).toEqual([
      { runId: a, key: 'test_acc', split: 'test', layer: '', steps: [1], epochs: [1], values: [0.25] },
    ]);
    expect(decode((await reader.series({ runIds: [a], keys: ['kappa'] })).json)).toEqual([]);
  });

  it('downsamples long series with LTTB in the worker, leaving short ones whole', async () => {
    const { repos, reader, run } = fixture();
    const a = run('a');
    const n = 500;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 20) + (i % 7) / 10);
    repos.metrics.insertMany(
      a,
      values.map((value, i) => ({ step: i + 1, epoch: i + 1, split: 'train', key: 'train_loss', value })),
    );
    repos.metrics.insertMany(a, [{ step: 1, epoch: 1, split: 'train', key: 'train_acc', value: 0.5 }]);
    const [acc, loss] = decode((await reader.series({ runIds: [a], keys: ['train_loss', 'train_acc'], maxPoints: 50 })).json);
    // the same points LTTB picks from the full series in place (what metrics.series did on the host's thread)
    const steps = values.map((_, i) => i + 1);
    const kept = lttbIndices(steps, values, 50);
    expect(loss.steps).toEqual(kept.map((i) => steps[i]));
    expect(loss.values).toEqual(kept.map((i) => values[i]));
    expect(loss.steps).toHaveLength(50);
    expect(acc.values).toEqual([0.5]);
  });

  it('sees rows committed after it started, and keeps the host responsive during a long read', async () => {
    const { db, repos, reader, run } = fixture();
    const ids = Array.from({ length: 10 }, (_, i) => run(`r${i}`));
    expect(decode((await reader.series({ runIds: ids, keys: ['train_loss'] })).json)).toEqual([]);
    fill(db, ids, 10_000); // 100k rows
    // while the worker walks 100k rows, this thread's timers keep firing
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    const got = decode((await reader.series({ runIds: ids, keys: ['train_loss'], maxPoints: 100 })).json);
    const ms = performance.now() - started;
    clearInterval(timer);
    expect(got).toHaveLength(10);
    expect(got.every((s) => s.steps.length === 100 && s.steps[0] === 1 && s.steps[99] === 10_000)).toBe(true);
    expect(ticks).toBeGreaterThanOrEqual(Math.min(5, Math.floor(ms / 50)));
    expect(repos.metrics.series([ids[0]], ['train_loss'])[0].steps).toHaveLength(10_000);
  });

  it("once started, checkpoints the WAL in the worker instead of inside the host's commits", async () => {
    const { db, reader, run } = fixture();
    const dbFile = db.name;
    const size = () => statSync(dbFile).size;
    reader.ensureStarted();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = size();
    fill(db, [run('a')], 20_000); // ~1 MB, all of it in the WAL: the host's connection no longer copies it over
    expect(size()).toBe(before);
    for (let i = 0; i < 100 && size() === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(size()).toBeGreaterThan(before + 200_000);
  });
});

/** Bulk rows for the long read, in SQL: the fixture, not what is tested. */
function fill(db: Db, ids: number[], steps: number) {
  const stmt = db.prepare(`INSERT INTO metrics (run_id, step, epoch, split, key, value)
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) SELECT ?, i, i, 'train', 'train_loss', i % 13 FROM s`);
  db.transaction(() => ids.forEach((id) => stmt.run(steps, id)))();
}
