import * as tf from '@tensorflow/tfjs';
import { loadPlugin } from '../app/plugins';
import type { Dataset } from '../ml/data/dataset';
import { registerDatasetMaker } from '../ml/data/make-dataset';
import { createRng, type Rng } from '../ml/data/prng';
import { registerModelBuilder } from '../ml/models/make-model';
import { normalVariable, zerosVariable, type Model } from '../ml/models/model';
import { registerProducer, type MetricProducerFn } from '../ml/metrics/producers';

/** What a plugin's model builder is handed: our tfjs (one engine per worker) and the run's seeded generator. */
export interface ModelLib {
  tf: typeof tf;
  rng: Rng;
  normalVariable: typeof normalVariable;
  zerosVariable: typeof zerosVariable;
}

type Build = (config: unknown, ds: Dataset, lib: ModelLib) => Model;
type Make = (config: unknown, seed: number, lib: { createRng: typeof createRng }) => Dataset;
type Misfit = (ds: Dataset) => string | undefined;

const DONE = new Set<string>();

/**
 * Loads the plugins the main process loaded (their paths come in the job's data) and registers their code
 * here: metric producers, model builders, dataset makers. Called first thing by every worker that needs them.
 */
export async function loadWorkerPlugins(data: unknown): Promise<void> {
  const paths = (data as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(paths)) return;
  for (const path of paths as string[]) {
    const p = await loadPlugin(path);
    if (DONE.has(p.path)) continue;
    DONE.add(p.path);
    if (p.metric) registerProducer(p.metric.descriptor.producer, p.metric.produce as MetricProducerFn);
    const fam = p.modelFamily;
    if (fam) {
      const build = fam.build as Build;
      registerModelBuilder({
        kind: fam.kind,
        sequence: fam.sequence === true,
        misfit: fam.misfit as Misfit | undefined,
        build: (config, ds, rng) => build(config, ds, { tf, rng, normalVariable, zerosVariable }),
      });
    }
    const set = p.dataset;
    if (set) {
      const make = set.make as Make;
      registerDatasetMaker({ kind: set.kind, make: (config, seed) => make(config, seed, { createRng }) });
    }
  }
}
