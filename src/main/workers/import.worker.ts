import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpoint } from '../io/checkpoint-file';
import { inspectImport } from '../io/import-file';
import { dumpRows, floatWeights, importSteps, weightRows } from '../io/import-run';
import { workerPort } from './port';

/** What the import runner hands this worker: the file or folder and where the run keeps its files. */
export interface ImportWorkerData {
  path: string;
  runDir: string;
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
  const dir = join(data.runDir, 'checkpoints');
  mkdirSync(dir, { recursive: true });
  const save = (step: number, weights: Parameters<typeof writeCheckpoint>[1]['weights']) => {
    const file = join(dir, `step-${String(step).padStart(8, '0')}.safetensors`);
    const { bytes, sha256 } = writeCheckpoint(file, { step, epoch: 0, weights });
    post({ type: 'checkpoint', step, epoch: 0, file, bytes, sha256 });
  };
  if (index.format === 'feature-dump') {
    const { rows, weights } = await dumpRows(data.path);
    save(0, weights);
    post({ type: 'metrics', rows });
    post({ type: 'done', result: { format: index.format, checkpoints: 1, tensors: index.tensors.length } });
    return;
  }
  const steps = importSteps(index);
  let init: Awaited<ReturnType<typeof floatWeights>>['weights'] | undefined;
  const dropped = new Set<string>();
  for (const [i, { step, file }] of steps.entries()) {
    const { weights, dropped: d } = await floatWeights(file);
    d.forEach((n) => dropped.add(n));
    init ??= weights;
    save(step, weights);
    post({ type: 'metrics', rows: weightRows(weights, step, init) });
    post({ type: 'progress', fraction: (i + 1) / steps.length, message: `checkpoint ${i + 1}/${steps.length}` });
  }
  post({
    type: 'done',
    result: { format: index.format, checkpoints: steps.length, tensors: index.tensors.length, nonFloatTensorsLeftOut: [...dropped], scalars: index.format === 'folder' ? {} : index.scalars ?? {} },
  });
}

main().catch(port.fail);
