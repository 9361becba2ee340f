import { metricInfo } from '../../shared/domain/metrics';
import type { MetricRow } from '../../shared/jobs/messages';
import { computeDumpMetrics } from '../ml/metrics/closed-form';
import { classMeanGeometry } from '../ml/metrics/collapse-geometry';
import { readFeatureDump } from './feature-dump';
import { openCheckpointWriter, storedDtype } from './checkpoint-file';
import { CHUNKED_WIDTH } from './float-chunks';
import { isFolderImport, type FileImport, type ImportIndex } from './import-file';
import type { TensorInfo } from './import-types';
import { countNonFinite, isFloatDtype } from './ndarray';
import { openSafetensorsFile } from './safetensors-file';
import { streamMeasured, streamWhole, spectrumAtImport, type InitWeights } from './stream-tensor';
import { SPECTRUM_MAX_IMPORT, weightRows } from './weight-rows';

type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/** The checkpoints of an import, in order, each with the step it is filed under. */
export function importSteps(index: ImportIndex): { step: number; file: FileImport }[] {
  if (!isFolderImport(index)) {
    const s = index.scalars ?? {};
    const step = [s.step, s.global_step, s.iteration, s.epoch].find((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0) as
      number | undefined;
    return [{ step: step ?? 0, file: index }];
  }
  // Unnumbered files (e.g. final.pt) come after the numbered ones.
  let next = Math.max(-1, ...index.files.map((f) => f.step ?? -1)) + 1;
  return index.files.map((f) => ({ step: f.step ?? next++, file: f.import }));
}

/** Training-state containers beside the model in a training checkpoint: not weights of the network. */
const TRAINING_STATE = /^(optimizer|optim|opt|scheduler|lr_scheduler|scaler|ema_optimizer)\./;

/**
 * The float tensors of one file, to import as float32 weights. Integer buffers (BatchNorm counters)
 * and optimizer or scheduler state are dropped: inspection lists them, but they are not the network's weights.
 */
export function weightPlan(file: FileImport): { keep: TensorInfo[]; dropped: string[] } {
  const isWeight = (t: TensorInfo) => isFloatDtype(t.dtype) && !TRAINING_STATE.test(t.name);
  return { keep: file.tensors.filter(isWeight), dropped: file.tensors.filter((t) => !isWeight(t)).map((t) => t.name) };
}

/** Tensors up to this many bytes are loaded together; a bigger one is loaded, written and measured alone. */
const BATCH_BYTES = 64 * 1024 * 1024;
/** ...and at most this many: 100 000 tiny tensors cost far more in objects than in bytes. */
const BATCH_TENSORS = 4096;
/** A float tensor of at least this many source bytes is streamed in chunks when the format can (safetensors). */
const STREAM_BYTES = 1024 * 1024;

/** A tensor with NaN or infinite values: imported as it is, but left out of the metrics. */
export interface NonFiniteTensor {
  step: number;
  name: string;
  count: number;
}

export type { InitWeights } from './stream-tensor';

export interface StreamOptions {
  /** Hears the source bytes of each chunk or tensor done (the job's progress). */
  onBytes?: (n: number) => void;
  /** Tensors of at least this many source bytes are streamed (tests lower it to stream tiny ones). */
  streamBytes?: number;
  /** Matrices with a smaller side up to this have their spectrum measured at import (so are held whole). */
  spectrumMax?: number;
}

const sourceBytes = (t: TensorInfo) => (CHUNKED_WIDTH[t.dtype] ?? 4) * t.shape.reduce((a, b) => a * b, 1);

/** Source bytes of an import's weights, the unit of its progress. */
export const weightBytes = (file: FileImport) => weightPlan(file).keep.reduce((s, t) => s + sourceBytes(t), 0);

/**
 * Imports one file's weights as the Plateau checkpoint `out`, streaming: a batch of small tensors at a
 * time is loaded, written and measured; a big one is read in chunks, each written as it comes (bf16/f16
 * stored as they are) and measured by chunk, or widened whole when its spectrum is measured here (a
 * matrix with a side up to `spectrumMax`). Memory stays near the largest such matrix however big the
 * file. `onBytes` hears the source bytes done. `init` absent: this is the first checkpoint (distance 0).
 */
export async function importCheckpoint(file: FileImport, step: number, out: string, init?: InitWeights, options: StreamOptions = {}) {
  const { onBytes, streamBytes = STREAM_BYTES, spectrumMax = SPECTRUM_MAX_IMPORT } = options;
  const { keep, dropped } = weightPlan(file);
  const writer = openCheckpointWriter(
    out,
    { step, epoch: 0 },
    keep.map((t) => ({ ...t, stored: storedDtype(t.dtype) })),
  );
  const rows: MetricRow[] = [];
  const nonFinite: NonFiniteTensor[] = [];
  // A lone big tensor's memory, handed back to the reader for the next one once written and measured.
  let scratch: ArrayBuffer | undefined;
  const measure = async (name: string, shape: number[], data: Float32Array) => {
    const count = countNonFinite(data);
    if (count) nonFinite.push({ step, name, count });
    const w0 = init ? await init.get(name, shape) : data;
    const w = { [name]: { shape, data } };
    rows.push(...weightRows(w, step, w0 ? { [name]: { shape, data: w0 } } : undefined, { maxSpectrum: spectrumMax }));
  };
  try {
    for (const batch of batches(keep, file.readChunks ? streamBytes : Infinity)) {
      if (batch.length === 1 && file.readChunks && sourceBytes(batch[0]) >= streamBytes && CHUNKED_WIDTH[batch[0].dtype]) {
        const t = batch[0];
        if (!spectrumAtImport(t.shape, spectrumMax)) {
          const r = await streamMeasured(file, t, writer, step, init, onBytes);
          rows.push(...r.rows);
          if (r.nonFinite) nonFinite.push({ step, name: t.name, count: r.nonFinite });
          continue;
        }
        const data = await streamWhole(file, t, writer, onBytes, scratch);
        await measure(t.name, t.shape, data);
        if (data.buffer.byteLength > (scratch?.byteLength ?? 0)) scratch = data.buffer as ArrayBuffer;
        continue;
      }
      const loaded = new Map(
        (
          await file.load(
            batch.map((t) => t.name),
            { reuse: scratch },
          )
        ).map((t) => [t.name, t]),
      );
      for (const info of batch) {
        const t = loaded.get(info.name)!;
        loaded.delete(info.name); // let each tensor go as soon as it is written
        const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
        writer.write(t.name, data);
        onBytes?.(sourceBytes(info));
        await measure(t.name, t.shape, data);
        // Safe to refill: rows are numbers, the write is done, and init (when given) has its own arrays.
        if (batch.length === 1 && data.buffer.byteLength > (scratch?.byteLength ?? 0)) scratch = data.buffer as ArrayBuffer;
      }
    }
    return { ...(await writer.finish()), rows, dropped, nonFinite, tensors: keep };
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** Small tensors in batches; with a streaming reader, each big one alone. */
function* batches(tensors: TensorInfo[], streamBytes: number): Generator<TensorInfo[]> {
  let batch: TensorInfo[] = [];
  let bytes = 0;
  for (const t of tensors) {
    const size = 4 * t.shape.reduce((a, b) => a * b, 1);
    const alone = sourceBytes(t) >= streamBytes;
    if (batch.length && (alone || bytes + size > BATCH_BYTES || batch.length >= BATCH_TENSORS)) {
      yield batch;
      [batch, bytes] = [[], 0];
    }
    batch.push(t);
    bytes += size;
    if (alone) {
      yield batch;
      [batch, bytes] = [[], 0];
    }
  }
  if (batch.length) yield batch;
}

/** Past this many bytes the first checkpoint's weights are read back from its file per tensor, not kept. */
const INIT_IN_MEMORY = 256 * 1024 * 1024;

/** dist_from_init's reference: the first imported checkpoint (`path`, holding `tensors`). */
export async function initWeights(path: string, tensors: TensorInfo[]): Promise<InitWeights> {
  const bytes = tensors.reduce((s, t) => s + 4 * t.shape.reduce((a, b) => a * b, 1), 0);
  const st = await openSafetensorsFile(path);
  const cache = new Map<string, Float32Array>();
  if (bytes <= INIT_IN_MEMORY) {
    const all = await st.readMany(tensors.map((t) => t.name));
    tensors.forEach((t, i) => cache.set(t.name, all[i] as Float32Array));
  }
  const byName = new Map(st.entries.map((e) => [e.name, e]));
  const fits = (name: string, shape: readonly number[]) => byName.get(name)?.shape.join() === shape.join();
  return {
    get: async (name, shape) => {
      if (!fits(name, shape)) return null;
      const data = cache.get(name) ?? ((await st.read(name)) as Float32Array);
      // A reference with NaN in it would make every distance NaN: measure none rather than a wrong one.
      return countNonFinite(data) ? null : data;
    },
    range: async (name, shape, start, count) => {
      if (!fits(name, shape)) return null;
      const whole = cache.get(name);
      return whole ? whole.subarray(start, start + count) : st.readElements(name, start, count);
    },
  };
}

export { weightRows } from './weight-rows';

/** A feature dump's closed-form metrics as rows at `step` (training keys on train, the test block on test). */
export async function dumpRows(path: string, step = 0): Promise<{ rows: MetricRow[]; weights: Weights }> {
  const dump = await readFeatureDump(path);
  const r = computeDumpMetrics(dump);
  const rows: MetricRow[] = [];
  const push = (key: string, split: MetricRow['split'], value: number) =>
    rows.push({ step, epoch: null, split, key, value, checkpointStep: step });
  for (const [key, value] of Object.entries(r)) {
    if (typeof value !== 'number') continue;
    push(key, metricInfo(key)!.splits[0], value); // the split the registry stores it on (train for per-split keys)
  }
  for (const [key, value] of Object.entries(r.test ?? {})) push(key, 'test', value);
  const nc1 = rows.find((x) => x.key === 'nc1' && x.split === 'train');
  if (nc1) nc1.details = { geometry: classMeanGeometry(dump.train, dump.layer.C) };
  const { layer } = dump;
  const weights: Weights = { weight: { shape: [layer.C, layer.m], data: Float32Array.from(layer.weight) } };
  if (layer.bias) weights.bias = { shape: [layer.C], data: Float32Array.from(layer.bias) };
  return { rows, weights };
}
