import { rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { PlateauError } from '../../shared/api/errors';
import type { AppContext } from '../app/context';
import { runDir, uploadsDir } from '../app/paths';
import { statedSettings } from '../io/import-settings';
import type { ImportScalar } from '../io/import-types';
import type { ImportWorkerData } from '../workers/import.worker';
import { jobWrites } from '../db/write-queue';
import type { JobRunner } from './job-manager';
import { runWorker, workerEntry } from './worker-runner';

/** An upload's batch folder is only a waiting room: once its checkpoints are ours, it goes. */
function removeUploadBatch(dataDir: string, path: string): void {
  const rel = relative(uploadsDir(dataDir), path);
  const batch = rel.split(sep)[0];
  if (!rel.startsWith('..') && !isAbsolute(rel) && batch && /^[a-f0-9]{12}$/.test(batch))
    rmSync(join(uploadsDir(dataDir), batch), { recursive: true, force: true });
}

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
    const handle = runWorker(
      workerEntry('import'),
      data,
      (m) => {
        if (m.type === 'checkpoint')
          writes.add(
            () => void repos.checkpoints.add({ runId, step: m.step, epoch: m.epoch, file: m.file, bytes: m.bytes, sha256: m.sha256 }),
          );
        else if (m.type === 'metrics') {
          writes.add(() => repos.metrics.insertMany(runId, m.rows));
          bus.emit('run.metrics', { runId, projectId: run.projectId, rows: m.rows });
        } else if (m.type === 'progress') progress(m.fraction, m.message);
      },
      signal,
      'thread',
    ); // no tfjs here: a thread is enough
    try {
      const result = await handle.done;
      writes.settle();
      // The settings the file states (optimizer param group, epoch), under fromFile: what it says, or nothing.
      const stated = statedSettings((result.scalars ?? {}) as Record<string, ImportScalar>);
      const config = Object.keys(stated).length ? { ...repos.runs.get(runId).config, fromFile: stated } : undefined;
      repos.runs.update(runId, { status: 'imported', summary: result, finishedAt: Date.now(), ...(config ? { config } : {}) });
      removeUploadBatch(ctx.dataDir, data.path);
    } catch (err) {
      ctx.jobs.writes.flush();
      // Whole or not at all: the worker announces checkpoints only once all are written, so a failure
      // leaves files and no rows; the files go too (the run stays, failed, with the reason).
      rmSync(join(data.runDir, 'checkpoints'), { recursive: true, force: true });
      const cancelled = signal.aborted || (err instanceof PlateauError && err.code === 'Cancelled');
      repos.runs.update(runId, {
        status: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? null : (err as Error).message,
        finishedAt: Date.now(),
      });
      throw err;
    } finally {
      changed();
    }
  };
}
