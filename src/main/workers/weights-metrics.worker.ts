import { storedWeightRows, SPECTRUM_MAX_JOB } from '../io/weight-rows';
import type { ToWorker } from '../../shared/jobs/messages';
import { workerPort } from './port';
import { yieldCpuToHost } from './priority';

/** What the metrics runner hands this worker for an imported run with no architecture Plateau can rebuild. */
export interface WeightsMetricsWorkerData {
  checkpoints: { step: number; file: string }[];
  /** The series' first checkpoint: dist_from_init's reference. */
  initFile: string;
  /** Weights-only keys to compute. */
  keys: string[];
}

const port = workerPort<WeightsMetricsWorkerData>();
const { data, post } = port;
let cancelled = false;
port.onMessage((m: ToWorker) => {
  if (m.type === 'control' && m.action === 'cancel') cancelled = true;
});

/**
 * Weights-only metrics of an imported run's stored checkpoints, per 2-D weight (its name is the row's
 * layer), one tensor at a time: no model, dataset or tfjs needed, so any imported language model has them.
 */
async function main() {
  yieldCpuToHost();
  for (const [i, c] of data.checkpoints.entries()) {
    if (cancelled) break;
    const rows = await storedWeightRows(c.file, c.step, data.initFile, { keys: data.keys, maxSpectrum: SPECTRUM_MAX_JOB });
    if (rows.length) post({ type: 'metrics', rows });
    post({
      type: 'progress',
      fraction: (i + 1) / data.checkpoints.length,
      message: `checkpoint ${i + 1}/${data.checkpoints.length} (step ${c.step})`,
    });
    await new Promise((r) => setImmediate(r)); // let a cancel message in
  }
  post({ type: 'done', result: { status: cancelled ? 'cancelled' : 'succeeded', checkpoints: data.checkpoints.length } });
}

main().catch(port.fail);
