import { rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { PlateauError } from '../../shared/api/errors';
import type { AppContext } from '../app/context';
import { runDir, uploadsDir } from '../app/paths';
import { statedSettings } from '../io/import-settings';
import type { ImportScalar } from '../io/import-types';
import type { FromWorker } from '../../shared/jobs/messages';
import { cachedLogRun } from '../io/logs/log-import';
import { logImportResult, pointCount, seriesChunks, type LogRun } from '../io/logs/log-run';
import type { ClientImportParams, ImportWorkerData } from '../workers/import.worker';
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
export interface ImportJobParams {
  /** The file or folder (an upload's copy for the browser host). */
  path: string;
  /** A Python client's checkpoint: the run goes on, so its status stays the client's. */
  client?: ClientImportParams;
  /** Training logs (TensorBoard, W&B, MLflow) rather than checkpoints. */
  logs?: boolean;
}

export function importRunner(ctx: AppContext): JobRunner<ImportJobParams> {
  const { repos, bus } = ctx;
  return async ({ job, params, signal, progress }) => {
    const runId = job.runId!;
    const run = repos.runs.get(runId);
    const changed = () => bus.emit('run.updated', { runId, projectId: run.projectId });
    const { path, client, logs } = params;
    const data: ImportWorkerData = { path, runDir: runDir(ctx.dataDir, run.projectId, runId), client, ...(logs ? { logs } : {}) };
    // A client's checkpoint is measured while its run goes on: the run's status is the client's to set.
    if (!client) repos.runs.update(runId, { status: 'running', startedAt: Date.now() });
    changed();
    const writes = jobWrites(ctx.jobs.writes, (err) => handle?.fail(err));
    const onMessage = (m: FromWorker) => {
      if (m.type === 'checkpoint')
        writes.add(
          () => void repos.checkpoints.add({ runId, step: m.step, epoch: m.epoch, file: m.file, bytes: m.bytes, sha256: m.sha256 }),
        );
      else if (m.type === 'metrics') {
        writes.add(() => repos.metrics.insertMany(runId, m.rows));
        bus.emit('run.metrics', { runId, projectId: run.projectId, rows: m.rows });
      } else if (m.type === 'series') writes.add(() => repos.metrics.insertSeries(runId, m.key, m.split, m.steps, m.values));
      else if (m.type === 'progress') progress(m.fraction, m.message);
    };
    // Logs the inspection just read and checked (plateau import, the Import view) are stored from its copy;
    // anything else is read in a worker. No tfjs here: a thread is enough.
    const cached = logs ? await cachedLogRun(path) : null;
    // The inspection's copy goes to SQLite as it is: typed views, no messages, no copies.
    const fromCopy = (log: LogRun) => {
      const total = pointCount(log);
      let done = 0;
      for (const { key, steps, values } of seriesChunks(log)) {
        writes.add(() => repos.metrics.insertSeries(runId, key, 'none', steps, values));
        done += steps.length;
        progress(done / total, `${done} of ${total} points`);
      }
      return logImportResult(log);
    };
    const handle = cached ? null : runWorker(workerEntry('import'), data, onMessage, signal, 'thread');
    try {
      const result = handle ? await handle.done : fromCopy(cached!);
      writes.settle();
      if (client) {
        // measured and stored under the run's checkpoints: the source goes (the init link stays for the next one)
        rmSync(path, { force: true });
        if (client.features) rmSync(client.features, { force: true });
        return;
      }
      // The settings the file states (optimizer param group, epoch), under fromFile: what it says, or nothing.
      const stated = statedSettings((result.scalars ?? {}) as Record<string, ImportScalar>);
      const config = Object.keys(stated).length ? { ...repos.runs.get(runId).config, fromFile: stated } : undefined;
      repos.runs.update(runId, { status: 'imported', summary: result, finishedAt: Date.now(), ...(config ? { config } : {}) });
      removeUploadBatch(ctx.dataDir, data.path);
    } catch (err) {
      ctx.jobs.writes.flush(); // rows stored so far stay...
      if (client) {
        repos.runs.update(runId, { error: `The checkpoint at step ${client.step} could not be measured: ${(err as Error).message}` });
        throw err;
      }
      if (logs) repos.metrics.clear(runId); // ...except a log's: its run is imported whole or holds nothing
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
