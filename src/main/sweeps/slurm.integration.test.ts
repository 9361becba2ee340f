import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app/create-app';
import { collectSweep } from './collect';
import { expandGrid, parseGrid, parseSeeds } from './grid';
import { loadRecord, type SweepRecord } from './manifest';
import { cancelSweep, resubmitSweep, submitSweep, sweepStatus, type TaskStatus } from './sweeps';

/**
 * Against a real Slurm (scripts/slurm/start-test-cluster.sh starts a single-node one). Each task runs
 * the built `bin/plateau.mjs train`, so `npm test` builds first.
 */
const root = resolve(__dirname, '../../..');
function unavailableReason(): string | undefined {
  if (spawnSync('sbatch', ['--version']).error) return 'sbatch is not installed (run scripts/slurm/start-test-cluster.sh)';
  const sinfo = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  if (sinfo.status !== 0 || !/idle|mixed|allocated/.test(sinfo.stdout))
    return 'no Slurm node is up (run scripts/slurm/start-test-cluster.sh)';
  if (!existsSync(join(root, 'out/main/cli.js'))) return "the CLI is not built (run 'npm run build')";
  return undefined;
}
const reason = unavailableReason();
if (reason) console.warn(`Slurm sweep tests skipped: ${reason}`);

const FINAL = ['completed', 'failed', 'cancelled', 'timeout'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(reason !== undefined)(`sweeps on a real Slurm${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let app: App;
  let dataDir: string;
  let sharedDir: string;
  let projectId: number;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'plateau-sweep-data-'));
    sharedDir = mkdtempSync(join(tmpdir(), 'plateau-sweep-shared-'));
    app = createApp({ dataDir, host: 'cli', concurrency: 1 });
    projectId = app.ctx.repos.projects.create('sweeps').id;
  });
  afterAll(async () => {
    await app?.close();
    for (const d of [dataDir, sharedDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const submit = (name: string, grid: string[], seeds = '0') =>
    submitSweep(app.ctx, {
      projectId,
      preset: 'grokking-mlp',
      points: expandGrid(parseGrid(grid), parseSeeds(seeds)),
      sharedDir,
      slurm: { cpusPerTask: 1, time: '00:05:00' },
      name,
    });
  const record = (name: string): SweepRecord => loadRecord(dataDir, projectId, name) as SweepRecord;
  async function waitFor(name: string, done: (ts: TaskStatus[]) => boolean, timeoutMs = 90_000): Promise<TaskStatus[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { tasks } = await sweepStatus(app.ctx, record(name));
      if (done(tasks)) return tasks;
      if (Date.now() > until) throw new Error(`sweep ${name} did not settle: ${JSON.stringify(tasks.map((t) => [t.index, t.state]))}`);
      await sleep(500);
    }
  }
  const allFinal = (ts: TaskStatus[]) => ts.every((t) => FINAL.includes(t.state));

  it('runs a 2x2 grid x 2 seeds as one array and collects it once, with configs and metrics', async () => {
    const { record: rec, manifest } = await submit('grid', ['dataset.p=11,13', 'model.width=8,12', 'epochs=5'], '0-1');
    expect(manifest.points).toHaveLength(8);
    expect(rec.submissions).toHaveLength(1);
    const tasks = await waitFor('grid', allFinal);
    expect(tasks.filter((t) => t.state !== 'completed').map((t) => `${t.index} ${t.state} ${t.exitCode}: ${t.error} ${t.logTail}`)).toEqual(
      [],
    );
    expect(tasks[0]).toMatchObject({ exitCode: 0, node: expect.any(String), progress: { epoch: 5 } });

    const first = await collectSweep(app.ctx, record('grid'));
    expect(first.added).toHaveLength(8);
    const runs = app.ctx.repos.runs.list(projectId);
    expect(runs).toHaveLength(8);
    for (const p of manifest.points) {
      const run = app.ctx.repos.runs.get(first.added.find((a) => a.index === p.index)!.runId);
      const cfg = run.config as { dataset: { p: number }; model: { width: number }; seed: number; epochs: number };
      expect([cfg.dataset.p, cfg.model.width, cfg.seed, cfg.epochs]).toEqual([
        Number(p.set['dataset.p']),
        Number(p.set['model.width']),
        p.seed,
        5,
      ]);
      expect(run).toMatchObject({ origin: 'slurm', status: 'succeeded', tags: ['sweep:grid'] });
      expect((run.summary as { provenance: object }).provenance).toMatchObject({
        sweep: 'grid',
        jobId: rec.submissions[0].jobId,
        arrayIndex: p.index,
        cluster: 'plateau-test',
      });
      const [acc] = app.ctx.repos.metrics.series([run.id], ['test_acc'], 'test');
      expect(acc?.steps.length).toBeGreaterThanOrEqual(5);
      const ckpts = app.ctx.repos.checkpoints.list(run.id);
      expect(ckpts.length).toBeGreaterThan(0);
      for (const c of ckpts) expect(c.file.startsWith(dataDir) && existsSync(c.file)).toBe(true);
    }

    const again = await collectSweep(app.ctx, record('grid'));
    expect(again.added).toHaveLength(0);
    expect(again.already).toHaveLength(8);
    expect(app.ctx.repos.runs.list(projectId)).toHaveLength(8);
  });

  it('refuses a bad grid value, or a shell-looking one, by name before anything reaches Slurm; nothing runs', async () => {
    const canary = join(sharedDir, 'pwned');
    const jobsBefore = execFileSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8' });
    await expect(submit('bad', ['optimizer.lr=0.01,-1', 'dataset.p=11', 'model.width=8', 'epochs=3'])).rejects.toThrow(
      /optimizer\.lr must be > 0/,
    );
    await expect(submit('shell', ['optimizer.lr=1; touch ' + canary, 'dataset.p=11', 'model.width=8', 'epochs=3'])).rejects.toThrow(
      /optimizer\.lr/,
    );
    expect(() => loadRecord(dataDir, projectId, 'bad')).toThrow(/No sweep 'bad'/);
    expect(() => loadRecord(dataDir, projectId, 'shell')).toThrow(/No sweep 'shell'/);
    expect(execFileSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8' })).toBe(jobsBefore);
    await sleep(1000);
    expect(existsSync(canary)).toBe(false);
  });

  it('a task cancelled midway is reported cancelled, the others collect, and resubmitting it completes it', async () => {
    await submit('cancel', ['epochs=5,1500', 'dataset.p=11', 'model.width=8']);
    await waitFor('cancel', (ts) => (ts[1].progress?.epoch ?? 0) >= 20, 60_000);
    expect(await cancelSweep(app.ctx, record('cancel'), [1])).toEqual([`${record('cancel').submissions[0].jobId}_1`]);
    const tasks = await waitFor('cancel', allFinal);
    expect(tasks.map((t) => t.state)).toEqual(['completed', 'cancelled']);
    const before = await collectSweep(app.ctx, record('cancel'));
    expect(before.added.map((a) => a.index)).toEqual([0]);
    expect(before.skipped).toEqual([{ index: 1, state: 'cancelled', reason: 'cancelled' }]);

    const again = await resubmitSweep(app.ctx, record('cancel'));
    expect(again.indices).toEqual([1]);
    const after = await waitFor('cancel', allFinal);
    expect(after[1]).toMatchObject({ state: 'completed', jobId: again.jobId });
    const r = await collectSweep(app.ctx, record('cancel'));
    expect(r.added.map((a) => a.index)).toEqual([1]);
    expect(r.already).toEqual([0]);
    const run = app.ctx.repos.runs.get(r.added[0].runId);
    expect((run.config as { epochs: number }).epochs).toBe(1500);
    expect((run.summary as { provenance: { jobId: string } }).provenance.jobId).toBe(again.jobId);
  });
});
