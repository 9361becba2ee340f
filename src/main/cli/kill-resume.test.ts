import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * kill -9 of the process that trains and writes the database (the built `plateau train`, then
 * `plateau resume`), at seeded random moments: the database stays whole, every checkpoint row names a
 * file with its hash, and the run, resumed after each kill, ends exactly where an uninterrupted run
 * with the same seed ends.
 */
const root = resolve(__dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-kill-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const bin = join(root, 'bin/plateau.mjs');
const args = (...more: string[]) => [bin, '--json', '--data-dir', dataDir, '--jobs', '1', '--threads', '1', ...more];
const TRAIN = [
  'train',
  '--preset',
  'grokking-mlp',
  '--seed',
  '7',
  '--epochs',
  '1000',
  '--set',
  'dataset.p=23',
  '--set',
  'model.width=16',
  '--set',
  'checkpoints.perDecade=12',
];
const KILLS = 3;

/** mulberry32: the kill times come from a seed, so a failure replays the same way. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Starts the command; once it prints its first progress line (training under way), waits delayMs and sends SIGKILL. */
function killDuringTraining(argv: string[], delayMs: number): Promise<{ runId: number; signal: string | null }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let runId = 0;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const first = out.split('\n').find((l) => l.startsWith('{"type":"progress"'));
      if (first && !runId) {
        runId = JSON.parse(first).run_id as number;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolveRun({ runId, signal }) : reject(new Error(`exited ${code} before the kill: ${err || out}`)),
    );
  });
}

/** What a crash must never break: the file's integrity, and each checkpoint row's file and hash. */
function checkDatabase(runId: number) {
  const db = new Database(join(dataDir, 'plateau.db'));
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const ckpts = db
      .prepare<[number], { step: number; file: string; sha256: string }>(
        'SELECT step, file, sha256 FROM checkpoints WHERE run_id = ? ORDER BY step',
      )
      .all(runId);
    for (const c of ckpts) {
      expect(existsSync(c.file), `checkpoint ${c.step}`).toBe(true);
      expect(createHash('sha256').update(readFileSync(c.file)).digest('hex'), `checkpoint ${c.step}`).toBe(c.sha256);
    }
    return {
      status: db.prepare<[number], { status: string }>('SELECT status FROM runs WHERE id = ?').get(runId)!.status,
      checkpoints: ckpts.map((c) => c.step),
    };
  } finally {
    db.close();
  }
}

/** Every stored value of a run but the wall-clock one (steps_per_s), in primary-key order. */
function metricsOf(runId: number) {
  const db = new Database(join(dataDir, 'plateau.db'), { readonly: true });
  try {
    return db
      .prepare<[number], unknown>(
        `SELECT key, split, layer, step, epoch, value FROM metrics WHERE run_id = ? AND key != 'steps_per_s'
      ORDER BY key, split, layer, step`,
      )
      .all(runId);
  } finally {
    db.close();
  }
}

describe('kill -9 while training', () => {
  it('leaves a whole database and hashed checkpoints; resumed after each kill, the run ends as an uninterrupted one', async () => {
    const whole = spawnSync(process.execPath, args(...TRAIN, '--project', 'whole'), { encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);
    const ref = JSON.parse(whole.stdout.trim().split('\n').at(-1)!) as { run_id: number; status: string; epochs: number };
    expect(ref).toMatchObject({ status: 'succeeded', epochs: 1000 });

    const next = random(20261206);
    let runId = 0;
    const seen: { delayMs: number; checkpoints: number[] }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const delayMs = Math.round(50 + 450 * next());
      const killed = await killDuringTraining(k === 0 ? args(...TRAIN, '--project', 'killed') : args('resume', String(runId)), delayMs);
      runId = killed.runId;
      const after = checkDatabase(runId);
      expect(after.status, `kill ${k + 1} at +${delayMs} ms landed during training`).toBe('running');
      // a checkpoint is stored once its metrics are measured (a helper thread), so a kill may come before step 0's
      if (after.checkpoints.length) expect(after.checkpoints[0]).toBe(0);
      seen.push({ delayMs, checkpoints: after.checkpoints });
    }
    // each resume started from the last checkpoint before its kill and went on from there
    expect(seen.at(-1)!.checkpoints.length).toBeGreaterThanOrEqual(seen[0].checkpoints.length);

    const resumed = spawnSync(process.execPath, args('resume', String(runId)), { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      type: 'summary',
      run_id: runId,
      status: 'succeeded',
      epochs: 1000,
    });
    const final = checkDatabase(runId);
    expect(final.status).toBe('succeeded');
    expect(final.checkpoints).toEqual(checkDatabase(ref.run_id).checkpoints);
    const [a, b] = [metricsOf(ref.run_id), metricsOf(runId)];
    expect(b.length).toBeGreaterThan(4 * 1000);
    expect(b).toEqual(a);
  }, 180_000);
});
