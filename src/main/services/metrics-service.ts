import type { ServiceApi } from '../../shared/api/contract';
import { invalid, notFound } from '../../shared/api/errors';
import { keysOfProducer, metricDescriptors, resolveJobKeys } from '../../shared/domain/metrics';
import type { AppContext } from '../app/context';

export function metricsService(ctx: AppContext): ServiceApi['metrics'] {
  return {
    keys: () => metricDescriptors(),
    // read, downsampled and encoded in the reader worker: a Compare over 5M rows no longer holds up other requests
    series: ({ runIds, keys, split, maxPoints }) => ctx.reader.series({ runIds, keys, split, maxPoints }),
    stored: ({ runId }) => {
      ctx.repos.runs.get(runId);
      return ctx.repos.metrics.keysOf(runId);
    },
    coverage: ({ runId }) => {
      ctx.repos.runs.get(runId);
      return ctx.repos.metrics.coverage(runId);
    },
    details: ({ runId, key, step, split, layer }) => ctx.repos.metrics.details(runId, key, step, split, layer),
    compute: ({ runId, checkpoints, hessian, keys, options }) => {
      resolveJobKeys(keys, hessian); // an unknown key is refused here, before a job is queued
      const run = ctx.repos.runs.get(runId);
      if (!ctx.repos.checkpoints.list(runId).length)
        throw notFound(`Run ${runId} has no checkpoints yet; metrics are computed from checkpoints.`);
      if (run.origin === 'client')
        throw invalid(
          `Run ${runId} was logged by a client: Plateau measures each checkpoint it uploads as it arrives (weights-only, and a feature dump's metrics when one comes with it).`,
        );
      // An imported model Plateau cannot rebuild has its weights measured (per tensor) and nothing else.
      const beyondWeights = (keys ?? []).filter((k) => !keysOfProducer('weights-only').includes(k));
      if (run.origin === 'imported' && !('model' in run.config) && (beyondWeights.length || hessian)) {
        throw invalid(
          `Run ${runId} was imported (${String(run.config.format ?? 'a file')}): Plateau cannot rebuild its architecture, so only the ` +
            `weights-only measures can be computed (not ${hessian ? 'the Hessian' : beyondWeights.join(', ')}). If it is an nn.Sequential MLP, evaluate it on a dataset (imports.evaluate); otherwise write a feature dump with resources/python/export_features.py and import that.`,
        );
      }
      return ctx.jobs.enqueue('metrics', run.projectId, runId, { checkpoints, hessian, keys, options });
    },
  };
}
