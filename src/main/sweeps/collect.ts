import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AppContext } from '../app/context';
import { runDir } from '../app/paths';
import { tempPathFor } from '../io/temp-files';
import { saveRecord, type SweepRecord } from './manifest';
import { sweepStatus, type TaskStatus } from './sweeps';
import { readTaskRun, type TaskRun } from './task-db';
import { taskDataDir } from './task-files';

export interface Provenance {
  sweep: string;
  cluster: string | null;
  jobId: string;
  arrayIndex: number;
  node: string | null;
  backend: string | null;
  taskDir: string;
}
export interface CollectResult {
  added: { index: number; runId: number }[];
  already: number[];
  skipped: { index: number; state: string; reason: string }[];
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The task's checkpoint as this machine sees it: the recorded path, else the same layout under the task folder. */
function localCheckpoint(task: TaskRun, dataDir: string, file: string): string {
  if (existsSync(file)) return file;
  return join(runDir(dataDir, task.run.projectId, task.run.id), 'checkpoints', basename(file));
}

/** A run collected earlier (found by provenance, so a crash between database and record still counts once). */
function findCollected(ctx: AppContext, projectId: number, sweep: string, jobId: string, index: number): number | undefined {
  return ctx.repos.runs.list(projectId).find((r) => {
    const p = (r.summary as { provenance?: Provenance }).provenance;
    return r.origin === 'slurm' && p?.sweep === sweep && p.jobId === jobId && p.arrayIndex === index;
  })?.id;
}

/** Copies one finished task into the project: run, checkpoints (files first, hash-checked), metrics, all in one transaction. */
function merge(ctx: AppContext, record: SweepRecord, t: TaskStatus, task: TaskRun, preset: string): number {
  const { repos } = ctx;
  const provenance: Provenance = {
    sweep: record.id,
    cluster: t.cluster,
    jobId: t.jobId!,
    arrayIndex: t.index,
    node: t.node,
    backend: task.run.backend,
    taskDir: t.dir!,
  };
  const sources = task.checkpoints.map((c) => ({ ...c, src: localCheckpoint(task, taskDataDir(t.dir!), c.file) }));
  for (const c of sources) {
    if (!existsSync(c.src)) throw new Error(`checkpoint ${c.src} is missing`);
    if (sha256(c.src) !== c.sha256) throw new Error(`checkpoint ${c.src} does not match its recorded hash (still being written?)`);
  }
  let runId = -1;
  try {
    repos.db.transaction(() => {
      const run = repos.runs.create({
        projectId: record.projectId,
        name: `${record.id} #${t.index} ${t.label}`,
        preset,
        config: task.run.config,
        status: task.run.status as 'succeeded',
        seed: task.run.seed,
        backend: task.run.backend,
        versions: task.run.versions,
        origin: 'slurm',
      });
      runId = run.id;
      repos.runs.update(runId, {
        summary: { ...task.run.summary, provenance },
        error: task.run.error,
        startedAt: task.run.startedAt,
        finishedAt: task.run.finishedAt,
      });
      repos.runs.tag(runId, [`sweep:${record.id}`], []);
      const dir = join(runDir(ctx.dataDir, record.projectId, runId), 'checkpoints');
      mkdirSync(dir, { recursive: true });
      for (const c of sources) {
        const dest = join(dir, basename(c.src));
        const tmp = tempPathFor(dest);
        copyFileSync(c.src, tmp);
        renameSync(tmp, dest); // atomic: a reader never sees half a checkpoint
        repos.checkpoints.add({ runId, step: c.step, epoch: c.epoch, file: dest, bytes: c.bytes, sha256: c.sha256 });
      }
      repos.metrics.insertMany(runId, task.metrics);
    })();
  } catch (err) {
    if (runId > 0) rmSync(runDir(ctx.dataDir, record.projectId, runId), { recursive: true, force: true });
    throw err;
  }
  ctx.bus.emit('run.updated', { runId, projectId: record.projectId });
  return runId;
}

/**
 * Merges every finished task not yet in the project. Idempotent: a point collected before is
 * recognised by its provenance. Anything not clearly finished (no summary line, run not final,
 * database busy, checkpoint hash off) is skipped with its reason, to be collected later.
 */
export async function collectSweep(ctx: AppContext, record: SweepRecord): Promise<CollectResult> {
  const { manifest, tasks } = await sweepStatus(ctx, record);
  const out: CollectResult = { added: [], already: [], skipped: [] };
  for (const t of tasks) {
    if (record.collected[t.index]) {
      out.already.push(t.index);
      continue;
    }
    const skip = (reason: string) => out.skipped.push({ index: t.index, state: t.state, reason });
    if (t.state !== 'completed') {
      skip(t.state === 'failed' ? `exit code ${t.exitCode ?? '?'}` : t.state);
      continue;
    }
    const existing = findCollected(ctx, record.projectId, record.id, t.jobId!, t.index);
    if (existing !== undefined) {
      record.collected[t.index] = { runId: existing, jobId: t.jobId! };
      out.already.push(t.index);
      continue;
    }
    if (!t.summary) {
      skip('no summary line in its progress file yet');
      continue;
    }
    if (t.summary.status !== 'succeeded' && t.summary.status !== 'diverged') {
      skip(`its run ended ${t.summary.status}`);
      continue;
    }
    const task = readTaskRun(taskDataDir(t.dir!), t.summary.run_id);
    if (typeof task === 'string') {
      skip(task);
      continue;
    }
    try {
      const runId = merge(ctx, record, t, task, manifest.preset);
      record.collected[t.index] = { runId, jobId: t.jobId! };
      out.added.push({ index: t.index, runId });
    } catch (err) {
      skip((err as Error).message);
    }
    saveRecord(ctx.dataDir, record);
  }
  saveRecord(ctx.dataDir, record);
  return out;
}
