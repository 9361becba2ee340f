import * as tf from '@tensorflow/tfjs';
import { metricInfo } from '../../../shared/domain/metrics';
import type { MetricRow } from '../../../shared/jobs/messages';
import type { SplitTensors } from '../data/tensors';
import type { Model } from '../models/model';
import { CLOSED_FORM_KEYS, computeDumpMetrics, PER_SPLIT_KEYS } from './closed-form';
import { collapseClasses, DEFAULT_COLLAPSE_TOP_K } from './collapse-classes';
import { classMeanGeometry } from './collapse-geometry';
import type { NamedWeights } from './producers';
import type { ClosedFormOptions, FeatureSplit, LastLayer } from './types';
import { WEIGHT_KEYS, weightMetrics } from './weights';

const BATCH = 4096; // rows per forward pass: bounds memory on big splits

/** Penultimate features of a whole split (one row per target: per position for next-token data), in batches. */
export function modelFeatures(model: Model, split: SplitTensors): FeatureSplit {
  let features: Float32Array | undefined;
  let m = 0;
  const targets = split.n * split.perRow;
  const batch = Math.min(model.evalBatch ?? BATCH, Math.max(1, Math.floor(BATCH / split.perRow)));
  for (let start = 0; start < split.n; start += batch) {
    const size = Math.min(batch, split.n - start);
    const f = tf.tidy(() => model.forward(split.x.slice([start, 0], [size, -1]) as tf.Tensor2D).features);
    m = f.shape[1];
    features ??= new Float32Array(targets * m);
    features.set(f.dataSync() as Float32Array, start * split.perRow * m);
    f.dispose();
  }
  return { features: features ?? new Float32Array(0), labels: split.y.dataSync() as Int32Array, n: targets, m };
}

export function lastLayerOf(model: Model): LastLayer {
  const { weight, bias } = model.lastLayer();
  const [C, m] = weight.shape as [number, number];
  return { weight: weight.dataSync() as Float32Array, bias: bias ? (bias.dataSync() as Float32Array) : null, C, m };
}

const FEATURE_KEYS = CLOSED_FORM_KEYS.filter((k) => !WEIGHT_KEYS.includes(k));

type At = { step: number; epoch: number | null };
const rowOf =
  (at: At) =>
  (key: string, split: MetricRow['split'], value: number, layer = ''): MetricRow => ({
    step: at.step,
    epoch: at.epoch,
    split,
    key,
    value,
    layer,
    checkpointStep: at.step,
  });

/** The last layer and every 2-D weight, copied out of the model (buffers of their own). */
export interface WeightsCapture {
  layer: LastLayer;
  /** The last layer's weight name (for its dist_from_init). */
  lastName?: string;
  weights: { name: string; rows: number; cols: number; data: Float32Array }[];
}

/**
 * What the closed-form metrics of a checkpoint need, copied out of the model into plain arrays with
 * buffers of their own, so it can be handed to another thread while training goes on.
 */
export interface CheckpointCapture extends WeightsCapture {
  train: FeatureSplit;
  test: FeatureSplit;
  /** Named evaluation sets (a language, a corpus), measured like the test split and stored under their names. */
  sets?: Record<string, FeatureSplit>;
}

export function captureWeights(model: Model): WeightsCapture {
  const layer = lastLayerOf(model);
  return {
    layer: { ...layer, weight: Float32Array.from(layer.weight), bias: layer.bias ? Float32Array.from(layer.bias) : null },
    lastName: Object.entries(model.namedWeights()).find(([, v]) => v === model.lastLayer().weight)?.[0],
    weights: Object.entries(model.namedWeights())
      .filter(([, v]) => v.rank === 2)
      .map(([name, v]) => ({ name, rows: v.shape[0]!, cols: v.shape[1]!, data: Float32Array.from(v.dataSync() as Float32Array) })),
  };
}

export function captureCheckpoint(
  model: Model,
  train: SplitTensors,
  test: SplitTensors,
  sets: Record<string, SplitTensors> = {},
): CheckpointCapture {
  const own = (f: FeatureSplit): FeatureSplit => ({ ...f, labels: Int32Array.from(f.labels) });
  const named = Object.entries(sets).map(([name, s]) => [name, own(modelFeatures(model, s))] as const);
  return {
    ...captureWeights(model),
    train: own(modelFeatures(model, train)),
    test: own(modelFeatures(model, test)),
    ...(named.length ? { sets: Object.fromEntries(named) } : {}),
  };
}

/** The buffers of a capture, for a postMessage transfer list. */
export const captureBuffers = (c: CheckpointCapture): ArrayBuffer[] =>
  [
    c.train.features,
    c.train.labels,
    c.test.features,
    c.test.labels,
    ...Object.values(c.sets ?? {}).flatMap((f) => [f.features, f.labels]),
    c.layer.weight,
    c.layer.bias,
    ...c.weights.map((w) => w.data),
  ]
    .filter((a): a is Float32Array | Int32Array => ArrayBuffer.isView(a))
    .map((a) => a.buffer as ArrayBuffer);

/**
 * The closed-form feature metrics of one checkpoint: the last-layer family on both splits and
 * generalisation, each on the split its descriptor names. Undefined values are left out. Pure: no tfjs.
 */
export function featureRowsFrom(
  c: CheckpointCapture,
  at: At,
  keys: ReadonlySet<string> = new Set(FEATURE_KEYS),
  options: ClosedFormOptions = {},
): MetricRow[] {
  const wanted = FEATURE_KEYS.filter((k) => keys.has(k));
  if (!wanted.length) return [];
  const topK = options.collapseTopK ?? DEFAULT_COLLAPSE_TOP_K;
  const r = computeDumpMetrics({ train: c.train, test: c.test, layer: c.layer }, wanted, { ...options, collapseTopK: topK });
  const row = rowOf(at);
  const rows: MetricRow[] = [];
  // top-level values are on the split the descriptor lists first (train for per-split keys, none for gaps)
  for (const [key, value] of Object.entries(r)) if (typeof value === 'number') rows.push(row(key, metricInfo(key)!.splits[0], value));
  // The class means in their principal plane ride along with nc1: what the collapse-geometry view draws.
  const nc1 = rows.find((x) => x.key === 'nc1' && x.split === 'train');
  if (nc1) nc1.details = { geometry: classMeanGeometry(c.train, c.layer.C, topK) };
  for (const [key, value] of Object.entries(r.test ?? {})) rows.push(row(key, 'test', value));
  // The many-classes rule (METRICS.md) is part of how a collapse value was computed: K and the classes present.
  for (const x of rows) {
    if (metricInfo(x.key)!.family !== 'collapse') continue;
    const split = x.split === 'test' ? c.test : c.train;
    const cls = collapseClasses(split.labels, split.n, c.layer.C, topK);
    x.details = { ...x.details, collapse_top_k: topK, classes_present: cls.present, classes_used: cls.classes.length };
  }
  // each named evaluation set: the per-split keys on its own features, under its name (METRICS.md "Named evaluation sets")
  const perSet = wanted.filter((k) => PER_SPLIT_KEYS.includes(k));
  for (const [name, f] of Object.entries(c.sets ?? {})) {
    if (!perSet.length) break;
    const s = computeDumpMetrics({ train: f, layer: c.layer }, perSet, { ...options, collapseTopK: topK });
    for (const [key, value] of Object.entries(s)) if (typeof value === 'number') rows.push(row(key, name, value));
  }
  return rows;
}

/** Weights-only measures of every 2-D weight (layer = its name), and of the last layer again under layer ''. Pure. */
export function weightRowsFrom(
  c: WeightsCapture,
  at: At,
  init?: NamedWeights,
  keys: ReadonlySet<string> = new Set(WEIGHT_KEYS),
): MetricRow[] {
  const row = rowOf(at);
  const rows: MetricRow[] = [];
  const { weight, C, m } = c.layer;
  const last = weightMetrics(weight, C, m, { init: c.lastName && init?.[c.lastName] ? init[c.lastName].data : null, keys });
  for (const [key, value] of Object.entries(last.values)) rows.push(row(key, 'none', value));
  for (const { name, rows: rowsN, cols, data } of c.weights) {
    // ww_alpha needs every eigenvalue of the smaller Gram (~1 s at 1024 in JS): skip it beyond that.
    const wanted = new Set([...keys].filter((k) => k !== 'ww_alpha' || Math.min(rowsN, cols) <= 1024));
    const bag = weightMetrics(data, rowsN, cols, { init: init?.[name]?.data ?? null, keys: wanted });
    for (const [key, value] of Object.entries(bag.values)) rows.push(row(key, 'none', value, name));
  }
  return rows;
}

/** Every closed-form metric of one captured checkpoint (what training measures at each checkpoint). Pure. */
export const checkpointRowsFrom = (c: CheckpointCapture, at: At, init?: NamedWeights): MetricRow[] => [
  ...featureRowsFrom(c, at),
  ...weightRowsFrom(c, at, init),
];

/** The same, of the model as it is now, on this thread (the metrics job's producers). */
export const featureMetricRows = (
  model: Model,
  train: SplitTensors,
  test: SplitTensors,
  at: At,
  keys?: ReadonlySet<string>,
  options?: ClosedFormOptions,
  sets?: Record<string, SplitTensors>,
) => featureRowsFrom(captureCheckpoint(model, train, test, sets), at, keys, options);
export const weightMetricRows = (model: Model, at: At, init?: NamedWeights, keys?: ReadonlySet<string>) =>
  weightRowsFrom(captureWeights(model), at, init, keys);
export const checkpointMetricRows = (model: Model, train: SplitTensors, test: SplitTensors, at: At, init?: NamedWeights) =>
  checkpointRowsFrom(captureCheckpoint(model, train, test), at, init);
