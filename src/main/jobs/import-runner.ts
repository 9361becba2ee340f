import { PlateauError } from '../../shared/api/errors';
import type { AppContext } from '../app/context';
import { runDir } from '../app/paths';
import type { ImportWorkerData } from '../workers/import.worker';
import { jobWrites } from '../db/write-queue';
import type { JobRunner } from './job-manager';
import { runWorker, workerEntry } from './worker-runner';

/** Imports one file or folder into its run, in a fresh worker; the run ends `imported` or `failed`. */
export function importRunner(ctx: AppContext): JobRunner {
  const { repos, bus } = ctx;
  return async ({ job, params, signal, progress }) => {
    const runId = job.runId!;
    const run = repos.runs.get(runId);
    const changed = () => bus.emit('run.updated', { runId, projectId: run.projectId });
    const data: ImportWorkerData = { path: (params as { path: string }).path, runDir: runDir(ctx.dataDir, run.projectId, runId) };
    repos.runs.update(runId, { status: 'running', startedAt: Date.now() });
    changed();
    const writes = jobWrites(ctx.jobs.writes, (err) => handle.fail(err));
    const handle = runWorker(workerEntry('import'), data, (m) => {
      if (m.type === 'checkpoint') writes.add(() => void repos.checkpoints.add({ runId, step: m.step, epoch: m.epoch, file: m.file, bytes: m.bytes, sha256: m.sha256 }));
      else if (m.type === 'metrics') {
        writes.add(() => repos.metrics.insertMany(runId, m.rows));
        bus.emit('run.metrics', { runId, projectId: run.projectId, rows: m.rows });
      } else if (m.type === 'progress') progress(m.fraction, m.message);
    }, signal, 'thread'); // no tfjs here: a thread is enough
    try {
      const result = await handle.done;
      writes.settle();
      repos.runs.update(runId, { status: 'imported', summary: result, finishedAt: Date.now() });
    } catch (err) {
      ctx.jobs.writes.flush(); // rows stored so far stay
      const cancelled = signal.aborted || (err instanceof PlateauError && err.code === 'Cancelled');
      repos.runs.update(runId, { status: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : (err as Error).message, finishedAt: Date.now() });
      throw err;
    } finally {
      changed();
    }
  };
}
