import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpoint } from '../io/checkpoint-file';
import { inspectImport, isFolderImport } from '../io/import-file';
import type { FromWorker } from '../../shared/jobs/messages';
import {
  dumpRows,
  importCheckpoint,
  importSteps,
  initWeights,
  weightBytes,
  type InitWeights,
  type NonFiniteTensor,
} from '../io/import-run';
import { statedSettings } from '../io/import-settings';
import { workerPort } from './port';

/** What the import runner hands this worker: the file or folder and where the run keeps its files. */
export interface ImportWorkerData {
  path: string;
  runDir: string;
  /** Inspect and stop (the bench's measure of inspection alone, in a process of its own). */
  inspectOnly?: boolean;
}

const port = workerPort<ImportWorkerData>();
const { data, post } = port;

/**
 * Imports checkpoints trained elsewhere: each becomes a Plateau checkpoint (float32 safetensors, so
 * the browser and metrics treat every source alike) with its weights-only metrics; a feature dump
 * gets its closed-form metrics at once. Nothing from the file is ever executed.
 */
async function main() {
  const index = await inspectImport(data.path);
  if (data.inspectOnly) return post({ type: 'done', result: { format: index.format, tensors: index.tensors.length } });
  const dir = join(data.runDir, 'checkpoints');
  mkdirSync(dir, { recursive: true });
  const checkpointPath = (step: number) => join(dir, `step-${String(step).padStart(8, '0')}.safetensors`);
  const save = (step: number, weights: Parameters<typeof writeCheckpoint>[1]['weights']) => {
    const file = checkpointPath(step);
    const { bytes, sha256 } = writeCheckpoint(file, { step, epoch: 0, weights });
    post({ type: 'checkpoint', step, epoch: null, file, bytes, sha256 });
  };
  if (index.format === 'feature-dump') {
    const { rows, weights } = await dumpRows(data.path);
    save(0, weights);
    post({ type: 'metrics', rows });
    post({ type: 'done', result: { format: index.format, checkpoints: 1, tensors: index.tensors.length } });
    return;
  }
  const steps = importSteps(index);
  let init: InitWeights | undefined;
  const dropped = new Set<string>();
  const nonFinite: NonFiniteTensor[] = [];
  // The run appears whole or not at all: checkpoints and rows are announced only once every one is written.
  const done: FromWorker[] = [];
  const total = steps.reduce((s, x) => s + weightBytes(x.file), 0);
  let bytes = 0;
  let said = -1;
  const mib = (n: number) => (n / 2 ** 20).toFixed(total < 10 * 2 ** 20 ? 2 : 0);
  const tell = (i: number) => {
    const fraction = total ? bytes / total : (i + 1) / steps.length;
    if (Math.floor(fraction * 200) === said) return; // every half percent, not every chunk
    said = Math.floor(fraction * 200);
    post({
      type: 'progress',
      fraction,
      message: `checkpoint ${i + 1}/${steps.length}, ${mib(bytes)} of ${mib(total)} MiB`,
    });
  };
  for (const [i, { step, file: source }] of steps.entries()) {
    const file = checkpointPath(step);
    // One tensor (or batch of small ones) at a time: a file bigger than memory is written and measured as it streams by.
    const onBytes = (n: number) => {
      bytes += n;
      tell(i);
    };
    const r = await importCheckpoint(source, step, file, init, { onBytes });
    r.dropped.forEach((n) => dropped.add(n));
    nonFinite.push(...r.nonFinite);
    // dist_from_init's reference, needed only when more checkpoints follow (a single file has none)
    if (!init && i < steps.length - 1) init = await initWeights(file, r.tensors);
    // the epoch the file states, else unknown (null), never a made-up 0
    const epoch = source.scalars ? (statedSettings(source.scalars).epoch ?? null) : null;
    done.push({ type: 'checkpoint', step, epoch, file, bytes: r.bytes, sha256: r.sha256 }, { type: 'metrics', rows: r.rows });
    tell(i);
  }
  for (const m of done) post(m);
  post({
    type: 'done',
    result: {
      format: index.format,
      checkpoints: steps.length,
      tensors: index.tensors.length,
      nonFloatTensorsLeftOut: [...dropped],
      // Imported as they are, but with no metrics: NaN is flagged, never fed to a measure.
      nonFinite,
      scalars: isFolderImport(index) ? {} : (index.scalars ?? {}),
    },
  });
}

main().catch(port.fail);
