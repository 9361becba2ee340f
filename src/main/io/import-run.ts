import type { MetricRow } from '../../shared/jobs/messages';
import { computeDumpMetrics } from '../ml/metrics/closed-form';
import { classMeanGeometry } from '../ml/metrics/collapse-geometry';
import { weightMetrics } from '../ml/metrics/weights';
import { readFeatureDump } from './feature-dump';
import type { FileImport, ImportIndex } from './import-file';
import { isFloatDtype } from './ndarray';

type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/** The checkpoints of an import, in order, each with the step it is filed under. */
export function importSteps(index: ImportIndex): { step: number; file: FileImport }[] {
  if (index.format !== 'folder') {
    const s = index.scalars ?? {};
    const step = [s.step, s.global_step, s.iteration, s.epoch].find((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0) as number | undefined;
    return [{ step: step ?? 0, file: index }];
  }
  // Unnumbered files (e.g. final.pt) come after the numbered ones.
  let next = Math.max(-1, ...index.files.map((f) => f.step ?? -1)) + 1;
  return index.files.map((f) => ({ step: f.step ?? next++, file: f.import }));
}

/** Training-state containers beside the model in a training checkpoint: not weights of the network. */
const TRAINING_STATE = /^(optimizer|optim|opt|scheduler|lr_scheduler|scaler|ema_optimizer)\./;

/**
 * Float tensors of one file as float32 weights. Integer buffers (BatchNorm counters) and optimizer or
 * scheduler state are left out: they are listed by inspection but are not the network's weights.
 */
export async function floatWeights(file: FileImport): Promise<{ weights: Weights; dropped: string[] }> {
  const weights: Weights = {};
  const dropped: string[] = [];
  for (const t of await file.load()) {
    if (!isFloatDtype(t.dtype) || TRAINING_STATE.test(t.name)) {
      dropped.push(t.name);
      continue;
    }
    weights[t.name] = { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) };
  }
  return { weights, dropped };
}

/** Eigen-decompositions of Grams wider than this are too slow in JS for an import; those keys are skipped. */
const MAX_GRAM = 512;

/**
 * Weights-only measures (METRICS.md) of every matrix-shaped tensor: 2-D weights as they are,
 * convolution kernels (4-D, out x in x kh x kw) reshaped to out x (in*kh*kw).
 */
export function weightRows(weights: Weights, step: number, init?: Weights): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const [name, t] of Object.entries(weights)) {
    if (t.shape.length < 2 || t.shape.length > 4 || t.shape.length === 3) continue;
    const rowsN = t.shape[0];
    const cols = t.data.length / rowsN;
    const small = Math.min(rowsN, cols) <= MAX_GRAM;
    const keys = new Set(['fro_norm', 'dist_from_init', ...(small ? ['spectral_norm', 'stable_rank', 'ww_alpha'] : [])]);
    const w0 = init?.[name]?.shape.join() === t.shape.join() ? init[name].data : null;
    const bag = weightMetrics(t.data, rowsN, cols, { init: w0, keys });
    for (const [key, value] of Object.entries(bag.values)) rows.push({ step, epoch: null, split: 'none', key, value, layer: name, checkpointStep: step });
  }
  return rows;
}

/** A feature dump's closed-form metrics as rows at step 0 (training keys on train, the test block on test). */
export async function dumpRows(path: string): Promise<{ rows: MetricRow[]; weights: Weights }> {
  const dump = await readFeatureDump(path);
  const r = computeDumpMetrics(dump);
  const rows: MetricRow[] = [];
  const push = (key: string, split: MetricRow['split'], value: number) => rows.push({ step: 0, epoch: null, split, key, value, checkpointStep: 0 });
  for (const [key, value] of Object.entries(r)) {
    if (typeof value !== 'number') continue;
    push(key, key.startsWith('test_') ? 'test' : key.startsWith('gap_') || ['fro_norm', 'spectral_norm', 'stable_rank', 'ww_alpha'].includes(key) ? 'none' : 'train', value);
  }
  for (const [key, value] of Object.entries(r.test ?? {})) push(key, 'test', value);
  const nc1 = rows.find((x) => x.key === 'nc1' && x.split === 'train');
  if (nc1) nc1.details = { geometry: classMeanGeometry(dump.train, dump.layer.C) };
  const { layer } = dump;
  const weights: Weights = { weight: { shape: [layer.C, layer.m], data: Float32Array.from(layer.weight) } };
  if (layer.bias) weights.bias = { shape: [layer.C], data: Float32Array.from(layer.bias) };
  return { rows, weights };
}
