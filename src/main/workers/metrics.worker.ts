import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../shared/api/errors';
import type { ToWorker } from '../../shared/jobs/messages';
import { readCheckpoint } from '../io/checkpoint-file';
import { initBackend, type BackendName } from '../ml/backend';
import { makeDataset } from '../ml/data/make-dataset';
import { createRng } from '../ml/data/prng';
import { disposeSplit, splitTensors } from '../ml/data/tensors';
import '../ml/metrics/builtin-producers';
import { measureCheckpoint } from '../ml/metrics/producers';
import { loadWorkerPlugins } from './plugins';
import type { MetricJobOptions } from '../../shared/api/contract';
import { makeModel } from '../ml/models/make-model';
import { loadWeights } from '../ml/models/model';
import { parseModelAndData } from '../ml/validate-config';
import { workerPort } from './port';
import { yieldCpuToHost } from './priority';

/** What the metrics runner hands this worker: a run's config and the checkpoint files to measure. */
export interface MetricsWorkerData {
  config: unknown;
  checkpoints: { step: number; epoch: number | null; file: string }[];
  /** The step-0 checkpoint, for dist_from_init. */
  initFile?: string;
  /** The registered keys to compute (the runner resolved the defaults). */
  keys: string[];
  options?: MetricJobOptions;
  backend?: BackendName;
  /** Compute threads (wasm's pool); 1 when absent. */
  threads?: number;
}

const port = workerPort<MetricsWorkerData>();
const { data, post } = port;
let cancelled = false;
port.onMessage((m: ToWorker) => {
  if (m.type === 'control' && m.action === 'cancel') cancelled = true;
});

async function main() {
  yieldCpuToHost(); // before the backend starts its threads, so they inherit it
  const backend = await initBackend(data.backend, { threads: data.threads });
  post({ type: 'ready', backend: backend.name, tfjsVersion: backend.tfjsVersion, threads: backend.threads, blas: backend.blas });
  await loadWorkerPlugins(data);
  const config = parseModelAndData(data.config);
  const ds = await makeDataset(config.dataset, config.seed);
  const model = makeModel(config.model, ds, createRng(config.seed)); // weights come from each checkpoint
  // what training measured: the first evalRows rows of each split, and the named evaluation sets
  const train = splitTensors(ds, ds.train, model.input, config.evalRows);
  const test = splitTensors(ds, ds.test, model.input, config.evalRows);
  const sets = Object.fromEntries(
    Object.entries(ds.evalSets ?? {}).map(([k, s]) => [k, splitTensors(ds, s, model.input, config.evalRows)]),
  );
  try {
    const init = data.initFile ? (await readCheckpoint(data.initFile)).weights : undefined;
    for (const [i, c] of data.checkpoints.entries()) {
      if (cancelled) break;
      try {
        loadWeights(model, (await readCheckpoint(c.file)).weights);
      } catch (err) {
        throw invalid(`The checkpoint at step ${c.step} does not fit the model and dataset this run describes: ${(err as Error).message}.`);
      }
      const at = { step: c.step, epoch: c.epoch };
      for (const rows of measureCheckpoint({ model, train, test, sets, at, init, options: data.options ?? {} }, data.keys)) {
        if (rows.length) post({ type: 'metrics', rows });
      }
      post({
        type: 'progress',
        fraction: (i + 1) / data.checkpoints.length,
        message: `checkpoint ${i + 1}/${data.checkpoints.length} (step ${c.step})`,
      });
      await new Promise((r) => setImmediate(r)); // let a cancel message in
    }
  } finally {
    for (const s of [train, test, ...Object.values(sets)]) disposeSplit(s);
    model.dispose();
  }
  post({
    type: 'done',
    result: { status: cancelled ? 'cancelled' : 'succeeded', checkpoints: data.checkpoints.length, tensors: tf.memory().numTensors },
  });
}

main().catch(port.fail);
