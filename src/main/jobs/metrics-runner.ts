import type { MetricJobOptions } from '../../shared/api/contract';
import { PlateauError } from '../../shared/api/errors';
import { keysOfProducer, resolveJobKeys } from '../../shared/domain/metrics';
import { metricsBackend } from '../app/backends';
import type { AppContext } from '../app/context';
import type { FromWorker } from '../../shared/jobs/messages';
import type { MetricsWorkerData } from '../workers/metrics.worker';
import type { WeightsMetricsWorkerData } from '../workers/weights-metrics.worker';
import { jobWrites } from '../db/write-queue';
import type { JobRunner } from './job-manager';
import { isolationFor, runWorker, workerEntry } from './worker-runner';

const FINAL_KEYS = ['train_acc', 'test_acc', 'train_loss', 'test_loss'];

/** Which checkpoints a metrics job measures: all, the last, or the listed steps. */
export type CheckpointSelection = 'all' | 'last' | number[];

/** Computes the requested (else the default) metrics of a run's checkpoints in a fresh worker and stores them. */
export interface MetricsJobParams {
  checkpoints?: CheckpointSelection;
  /** Also the Hessian metrics of the default set. */
  hessian?: boolean;
  /** These keys only (else the default set). */
  keys?: string[];
  options?: MetricJobOptions;
  backend?: string;
}

export function metricsRunner(ctx: AppContext): JobRunner<MetricsJobParams> {
  const { repos, bus } = ctx;
  return async ({ job, params, signal, progress }) => {
    const runId = job.runId!;
    const run = repos.runs.get(runId);
    const { checkpoints: which = 'all', hessian = false, keys, options, backend: asked } = params;
    const all = repos.checkpoints.list(runId);
    const chosen = which === 'all' ? all : which === 'last' ? all.slice(-1) : all.filter((c) => which.includes(c.step));
    if (!chosen.length)
      throw new PlateauError(
        'NotFound',
        `Run ${runId} has no ${which === 'all' || which === 'last' ? '' : 'such '}checkpoints to measure.`,
      );
    const writes = jobWrites(ctx.jobs.writes, (err) => handle.fail(err));
    const onMessage = (m: FromWorker) => {
      if (m.type === 'metrics') {
        writes.add(() => repos.metrics.insertMany(runId, m.rows));
        bus.emit('run.metrics', { runId, projectId: run.projectId, rows: m.rows });
      } else if (m.type === 'progress') progress(m.fraction, m.message);
    };
    const modelMetrics = async () => {
      const backend = await metricsBackend(asked ?? ctx.backend);
      const data: MetricsWorkerData = {
        config: run.config,
        checkpoints: chosen.map((c) => ({ step: c.step, epoch: c.epoch, file: c.file })),
        initFile: all.find((c) => c.step === 0)?.file,
        keys: resolveJobKeys(keys, hessian),
        options,
        backend,
        threads: ctx.jobs.threadsPerJob(),
      };
      return runWorker(workerEntry('metrics'), data, onMessage, signal, isolationFor(backend));
    };
    // An imported model Plateau cannot rebuild (a Hugging Face LM): its weights alone are measured, per tensor.
    const weightsOnly = run.origin === 'imported' && !('model' in run.config);
    const handle = weightsOnly
      ? runWorker(
          workerEntry('weights-metrics'),
          {
            checkpoints: chosen.map((c) => ({ step: c.step, file: c.file })),
            initFile: all[0]!.file, // chosen is a non-empty part of all
            keys: resolveJobKeys(keys, hessian).filter((k) => keysOfProducer('weights-only').includes(k)),
          } satisfies WeightsMetricsWorkerData,
          onMessage,
          signal,
          'thread', // no tfjs: a thread is enough
        )
      : await modelMetrics();
    try {
      await handle.done;
    } catch (err) {
      ctx.jobs.writes.flush(); // rows stored so far stay
      throw err;
    }
    writes.settle();
    // An import has no training log: its accuracies and losses are those measured at its last checkpoint.
    if (run.origin === 'imported') {
      const lastStep = all.at(-1)!.step;
      const last = Object.fromEntries(
        repos.metrics
          .series([runId], FINAL_KEYS)
          .filter((s) => s.layer === '' && s.split === (s.key.startsWith('test_') ? 'test' : 'train'))
          .flatMap((s) => (s.steps.at(-1) === lastStep ? [[s.key, s.values.at(-1)!]] : [])),
      );
      const summary = repos.runs.get(runId).summary;
      repos.runs.update(runId, { summary: { ...summary, last: { ...(summary.last as object | undefined), ...last } } });
    }
    bus.emit('run.updated', { runId, projectId: run.projectId });
  };
}
