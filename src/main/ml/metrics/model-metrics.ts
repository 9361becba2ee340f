import * as tf from '@tensorflow/tfjs';
import type { MetricRow } from '../../../shared/jobs/messages';
import type { SplitTensors } from '../data/tensors';
import type { Model } from '../models/model';
import { computeDumpMetrics, PER_SPLIT_KEYS } from './closed-form';
import { classMeanGeometry } from './collapse-geometry';
import type { FeatureSplit, LastLayer } from './types';
import { weightMetrics } from './weights';

type Weights = Record<string, { shape: number[]; data: Float32Array }>;
const BATCH = 4096; // rows per forward pass: bounds memory on big splits

/** Penultimate features of a whole split, computed in batches. */
export function modelFeatures(model: Model, split: SplitTensors): FeatureSplit {
  let features: Float32Array | undefined;
  let m = 0;
  const batch = Math.min(BATCH, model.evalBatch ?? BATCH);
  for (let start = 0; start < split.n; start += batch) {
    const size = Math.min(batch, split.n - start);
    const f = tf.tidy(() => model.forward(split.x.slice([start, 0], [size, -1]) as tf.Tensor2D).features);
    m = f.shape[1];
    features ??= new Float32Array(split.n * m);
    features.set(f.dataSync() as Float32Array, start * m);
    f.dispose();
  }
  return { features: features ?? new Float32Array(0), labels: split.y.dataSync() as Int32Array, n: split.n, m };
}

export function lastLayerOf(model: Model): LastLayer {
  const { weight, bias } = model.lastLayer();
  const [C, m] = weight.shape as [number, number];
  return { weight: weight.dataSync() as Float32Array, bias: bias ? (bias.dataSync() as Float32Array) : null, C, m };
}

const splitOf = (key: string): MetricRow['split'] =>
  key.startsWith('test_') ? 'test' : key.startsWith('gap_') || ['fro_norm', 'spectral_norm', 'stable_rank', 'dist_from_init', 'ww_alpha'].includes(key) ? 'none' : 'train';

/**
 * What the closed-form metrics of a checkpoint need, copied out of the model into plain arrays with
 * buffers of their own, so it can be handed to another thread while training goes on.
 */
export interface CheckpointCapture {
  train: FeatureSplit;
  test: FeatureSplit;
  layer: LastLayer;
  /** The last layer's weight name (for its dist_from_init). */
  lastName?: string;
  /** Every 2-D weight, by name. */
  weights: { name: string; rows: number; cols: number; data: Float32Array }[];
}

export function captureCheckpoint(model: Model, train: SplitTensors, test: SplitTensors): CheckpointCapture {
  const own = (f: FeatureSplit): FeatureSplit => ({ ...f, labels: Int32Array.from(f.labels) });
  const layer = lastLayerOf(model);
  return {
    train: own(modelFeatures(model, train)),
    test: own(modelFeatures(model, test)),
    layer: { ...layer, weight: Float32Array.from(layer.weight), bias: layer.bias ? Float32Array.from(layer.bias) : null },
    lastName: Object.entries(model.namedWeights()).find(([, v]) => v === model.lastLayer().weight)?.[0],
    weights: Object.entries(model.namedWeights()).filter(([, v]) => v.rank === 2)
      .map(([name, v]) => ({ name, rows: v.shape[0]!, cols: v.shape[1]!, data: Float32Array.from(v.dataSync() as Float32Array) })),
  };
}

/** The buffers of a capture, for a postMessage transfer list. */
export const captureBuffers = (c: CheckpointCapture): ArrayBuffer[] =>
  [c.train.features, c.train.labels, c.test.features, c.test.labels, c.layer.weight, c.layer.bias, ...c.weights.map((w) => w.data)]
    .filter((a): a is Float32Array | Int32Array => ArrayBuffer.isView(a)).map((a) => a.buffer as ArrayBuffer);

/**
 * Every closed-form metric of one checkpoint as database rows: the last-layer family on both splits,
 * generalisation, and weights-only measures for each 2-D weight (layer = its name; '' = last layer).
 * Undefined values (METRICS.md edge cases) are left out, never stored as NaN. Pure: no tfjs.
 */
export function checkpointRowsFrom(c: CheckpointCapture, at: { step: number; epoch: number | null }, init?: Weights): MetricRow[] {
  const r = computeDumpMetrics(
    { train: c.train, test: c.test, layer: c.layer },
    undefined,
    { initWeight: c.lastName && init?.[c.lastName] ? init[c.lastName].data : null },
  );
  const rows: MetricRow[] = [];
  const push = (key: string, split: MetricRow['split'], value: number, layerName = '') =>
    rows.push({ step: at.step, epoch: at.epoch, split, key, value, layer: layerName, checkpointStep: at.step });
  for (const [key, value] of Object.entries(r)) if (typeof value === 'number') push(key, splitOf(key), value);
  // The class means in their principal plane ride along with nc1: what the collapse-geometry view draws.
  const nc1 = rows.find((x) => x.key === 'nc1' && x.split === 'train');
  if (nc1) nc1.details = { geometry: classMeanGeometry(c.train, c.layer.C) };
  for (const [key, value] of Object.entries(r.test ?? {})) if (PER_SPLIT_KEYS.includes(key)) push(key, 'test', value);
  for (const { name, rows: rowsN, cols, data } of c.weights) {
    // ww_alpha needs every eigenvalue of the smaller Gram (~1 s at 1024 in JS): skip it beyond that.
    const keys = new Set(['fro_norm', 'spectral_norm', 'stable_rank', 'dist_from_init', ...(Math.min(rowsN, cols) <= 1024 ? ['ww_alpha'] : [])]);
    const bag = weightMetrics(data, rowsN, cols, { init: init?.[name]?.data ?? null, keys });
    for (const [key, value] of Object.entries(bag.values)) push(key, 'none', value, name);
  }
  return rows;
}

/** `checkpointRowsFrom` of the model as it is now, on this thread (the metrics job). */
export function checkpointMetricRows(
  model: Model, train: SplitTensors, test: SplitTensors, at: { step: number; epoch: number | null }, init?: Weights,
): MetricRow[] {
  return checkpointRowsFrom(captureCheckpoint(model, train, test), at, init);
}
