import { mkdirSync } from 'node:fs';
import { loadPlugin } from '../app/plugins';
import { join } from 'node:path';
import { writeCheckpoint } from '../io/checkpoint-file';
import { inspectFile, inspectImport, isFolderImport, type ImportIndex } from '../io/import-file';
import type { FromWorker } from '../../shared/jobs/messages';
import {
  dumpRows,
  importCheckpoint,
  importSteps,
  initWeights,
  weightBytes,
  weightPlan,
  type InitWeights,
  type NonFiniteTensor,
} from '../io/import-run';
import { invalid } from '../../shared/api/errors';
import { dumpSetRows } from '../io/dump-set-rows';
import { statedSettings } from '../io/import-settings';
import { logRunAt } from '../io/logs/log-import';
import { logImportResult, pointCount, seriesChunks } from '../io/logs/log-run';
import { workerPort } from './port';

/** What the import runner hands this worker: the file or folder and where the run keeps its files. */
export interface ImportWorkerData {
  path: string;
  runDir: string;
  /** Inspect and stop (the bench's measure of inspection alone, in a process of its own). */
  inspectOnly?: boolean;
  /** One checkpoint a client uploaded, filed under its step (the run goes on; see client-service.ts). */
  client?: ClientImportParams;
  /** `path` is a folder of training logs (one run): its series become metric rows, no checkpoints. */
  logs?: boolean;
}

/** What the client service hands the import job for one uploaded checkpoint. */
export interface ClientImportParams {
  step: number;
  epoch: number | null;
  /** A feature dump uploaded with it: its closed-form metrics are stored at the same step. */
  features?: string;
  /** The run's first checkpoint, dist_from_init's reference; absent for the first itself. */
  initFile?: string;
}

const port = workerPort<ImportWorkerData>();
const { data, post } = port;

/**
 * Imports checkpoints trained elsewhere: each becomes a Plateau checkpoint (float32 safetensors, so
 * the browser and metrics treat every source alike) with its weights-only metrics; a feature dump
 * gets its closed-form metrics at once. Nothing from the file is ever executed.
 */
/**
 * A run of training logs: read whole and checked first, then its points posted as metric rows in batches.
 * Nothing is posted before the whole run has read cleanly, so a bad file leaves no rows behind.
 */
async function importLogs() {
  const run = await logRunAt(data.path);
  if (!run) throw new Error(`${data.path}: holds no training logs`);
  const total = pointCount(run);
  let done = 0;
  for (const { key, steps, values } of seriesChunks(run)) {
    post({ type: 'series', key, split: 'none', steps: Array.from(steps), values: Array.from(values) });
    done += steps.length;
    post({ type: 'progress', fraction: done / total, message: `${done} of ${total} points` });
  }
  post({ type: 'done', result: logImportResult(run) });
}

async function main() {
  // a plugin's import format (declarative: no tfjs here)
  for (const p of (data as { plugins?: string[] }).plugins ?? []) await loadPlugin(p);
  if (data.logs) return importLogs();
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
  if (data.client) return importClientCheckpoint(index, data.client, checkpointPath);
  if (index.format === 'feature-dump') {
    const { rows, weights } = await dumpRows(data.path);
    save(0, weights);
    post({ type: 'metrics', rows });
    post({ type: 'done', result: { format: index.format, checkpoints: 1, tensors: index.tensors.length } });
    return;
  }
  const steps = importSteps(index);
  // LM dump sets (one, or a series of them): each set's metrics, streamed over its chunk files.
  // Every checkpoint is computed before any is filed: a dump set that fails leaves no half-imported run.
  if (steps.every((s) => s.file.format === 'lm-dump-set')) {
    const done = steps.map(({ step, file }, i) => {
      const one = (name: string, k: number, total: number) =>
        post({ type: 'progress', fraction: (i + k / total) / steps.length, message: `checkpoint ${i + 1}/${steps.length}: set ${name}` });
      return dumpSetRows(file.source, step, one);
    });
    for (const { step, rows, weights } of done) {
      save(step, weights());
      post({ type: 'metrics', rows });
    }
    post({ type: 'done', result: { format: index.format, checkpoints: steps.length, tensors: index.tensors.length } });
    return;
  }
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

/** A client's checkpoint, measured exactly as an imported file is (weights-only rows), plus its dump's metrics. */
async function importClientCheckpoint(index: ImportIndex, c: ClientImportParams, checkpointPath: (step: number) => string) {
  if (isFolderImport(index)) throw invalid(`${data.path} is a folder, not one checkpoint file.`);
  const init = c.initFile ? await initWeights(c.initFile, weightPlan(await inspectFile(c.initFile)).keep) : undefined;
  const file = checkpointPath(c.step);
  const r = await importCheckpoint(index, c.step, file, init);
  post({ type: 'checkpoint', step: c.step, epoch: c.epoch, file, bytes: r.bytes, sha256: r.sha256 });
  post({ type: 'metrics', rows: r.rows });
  if (c.features) post({ type: 'metrics', rows: (await dumpRows(c.features, c.step)).rows });
  post({
    type: 'done',
    result: {
      format: index.format,
      checkpoints: 1,
      tensors: index.tensors.length,
      nonFloatTensorsLeftOut: r.dropped,
      nonFinite: r.nonFinite,
    },
  });
}

main().catch(port.fail);
