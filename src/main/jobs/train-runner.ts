import { PlateauError } from '../../shared/api/errors';
import type { FromWorker } from '../../shared/jobs/messages';
import type { AppContext } from '../app/context';
import { jobBackend } from '../app/backends';
import { runDir } from '../app/paths';
import type { TrainWorkerData } from '../workers/train.worker';
import { jobWrites } from '../db/write-queue';
import type { JobRunner } from './job-manager';
import { isolationFor, runWorker, workerEntry, type WorkerHandle } from './worker-runner';

export interface TrainJobParams {
  /** Measure each checkpoint as it lands (default true). */
  metrics?: boolean;
  /** A backend the user chose for this run (else the app's). */
  backend?: string;
  /** Continue from this checkpoint file (a resumed run). */
  resumeFile?: string;
}

/** Runs one training job in a fresh worker; stores its metrics, checkpoints and final state. */
export function trainRunner(ctx: AppContext): JobRunner<TrainJobParams> {
  const { repos, bus } = ctx;
  return async ({ job, params, signal, progress, onControl }) => {
    const runId = job.runId!;
    const run = repos.runs.get(runId);
    const changed = () => bus.emit('run.updated', { runId, projectId: run.projectId });
    // The run stays 'queued' until its worker says it is ready: "running" means a worker is training it.
    repos.runs.update(runId, { error: null });
    // rows are committed in batches with other jobs' (WriteQueue); a failed write stops this job with its reason
    let handle: WorkerHandle | undefined;
    const writes = jobWrites(ctx.jobs.writes, (err) => handle?.fail(err));
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') {
        repos.runs.update(runId, {
          status: 'running',
          startedAt: run.startedAt ?? Date.now(),
          backend: m.backend,
          versions: {
            plateau: ctx.appVersion,
            tfjs: m.tfjsVersion,
            threads: String(m.threads),
            ...(m.blas ? { blas: m.blas } : {}),
            node: process.versions.node,
          },
        });
        changed();
      } else if (m.type === 'metrics') {
        writes.add(() => repos.metrics.insertMany(runId, m.rows));
        bus.emit('run.metrics', { runId, projectId: run.projectId, rows: m.rows });
      } else if (m.type === 'checkpoint') {
        // the checkpoint row and the rows of its step commit together: a kill keeps both or neither
        writes.add(() => {
          repos.checkpoints.add({ runId, step: m.step, epoch: m.epoch, file: m.file, bytes: m.bytes, sha256: m.sha256 });
          if (m.rows?.length) repos.metrics.insertMany(runId, m.rows);
        }, changed);
        if (m.rows?.length) bus.emit('run.metrics', { runId, projectId: run.projectId, rows: m.rows });
      } else if (m.type === 'progress') progress(m.fraction, m.message, m.values);
    };
    const { resumeFile, backend: asked } = params;
    const backend = await jobBackend(asked ?? ctx.backend);
    const measure = params.metrics !== false;
    const data: TrainWorkerData = {
      config: run.config,
      runDir: runDir(ctx.dataDir, run.projectId, runId),
      backend,
      threads: ctx.jobs.threadsPerJob(),
      resumeFile,
      metrics: measure,
    };
    handle = runWorker(workerEntry('train'), data, onMessage, signal, isolationFor(backend));
    onControl((m) => handle?.send(m)); // pause and resume
    try {
      const result = await handle.done;
      writes.settle(); // every row the worker sent is stored before the run is marked done
      const status = result.status as 'succeeded' | 'cancelled' | 'diverged';
      repos.runs.update(runId, {
        status,
        summary: result,
        finishedAt: Date.now(),
        error:
          status === 'diverged'
            ? `Diverged: ${String(result.reason ?? 'the loss became NaN or Inf')}. Checkpoints and metrics up to then are kept.`
            : null,
      });
      // Checkpoints the worker could not measure as it went (WebGPU, an error) get a metrics job of their own.
      if (measure && result.checkpointMetrics !== true && repos.checkpoints.list(runId).length) {
        ctx.jobs.enqueue('metrics', run.projectId, runId, { checkpoints: 'all', backend: asked });
      }
      if (status === 'cancelled') throw new PlateauError('Cancelled', 'Cancelled by the user.');
    } catch (err) {
      ctx.jobs.writes.flush();
      const cancelled = signal.aborted || (err instanceof PlateauError && err.code === 'Cancelled');
      if (['running', 'queued'].includes(repos.runs.get(runId).status)) {
        repos.runs.update(runId, {
          status: cancelled ? 'cancelled' : 'failed',
          finishedAt: Date.now(),
          error: cancelled ? null : (err as Error).message,
        });
      }
      throw err;
    } finally {
      changed();
    }
  };
}
