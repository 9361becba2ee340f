import * as tf from '@tensorflow/tfjs';
import { metricInfo } from '../../../shared/domain/metrics';
import type { MetricRow } from '../../../shared/jobs/messages';
import type { SplitTensors } from '../data/tensors';
import type { Model } from '../models/model';
import { CLOSED_FORM_KEYS, computeDumpMetrics } from './closed-form';
import { classMeanGeometry } from './collapse-geometry';
import type { NamedWeights } from './producers';
import type { FeatureSplit, LastLayer } from './types';
import { WEIGHT_KEYS, weightMetrics } from './weights';

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

const FEATURE_KEYS = CLOSED_FORM_KEYS.filter((k) => !WEIGHT_KEYS.includes(k));

type At = { step: number; epoch: number | null };
const rowOf = (at: At) => (key: string, split: MetricRow['split'], value: number, layer = ''): MetricRow =>
  ({ step: at.step, epoch: at.epoch, split, key, value, layer, checkpointStep: at.step });

/**
 * The closed-form feature metrics of one checkpoint: the last-layer family on both splits and
 * generalisation, each on the split its descriptor names. Undefined values are left out.
 */
export function featureMetricRows(
  model: Model, train: SplitTensors, test: SplitTensors, at: At, keys: ReadonlySet<string> = new Set(FEATURE_KEYS),
): MetricRow[] {
  const wanted = FEATURE_KEYS.filter((k) => keys.has(k));
  if (!wanted.length) return [];
  const layer = lastLayerOf(model);
  const trainFeatures = modelFeatures(model, train);
  const r = computeDumpMetrics({ train: trainFeatures, test: modelFeatures(model, test), layer }, wanted);
  const row = rowOf(at);
  const rows: MetricRow[] = [];
  // top-level values are on the split the descriptor lists first (train for per-split keys, none for gaps)
  for (const [key, value] of Object.entries(r)) if (typeof value === 'number') rows.push(row(key, metricInfo(key)!.splits[0], value));
  // The class means in their principal plane ride along with nc1: what the collapse-geometry view draws.
  const nc1 = rows.find((x) => x.key === 'nc1' && x.split === 'train');
  if (nc1) nc1.details = { geometry: classMeanGeometry(trainFeatures, layer.C) };
  for (const [key, value] of Object.entries(r.test ?? {})) rows.push(row(key, 'test', value));
  return rows;
}

/** Weights-only measures of every 2-D weight (layer = its name), and of the last layer again under layer ''. */
export function weightMetricRows(model: Model, at: At, init?: NamedWeights, keys: ReadonlySet<string> = new Set(WEIGHT_KEYS)): MetricRow[] {
  const row = rowOf(at);
  const rows: MetricRow[] = [];
  const named = model.namedWeights();
  const lastName = Object.entries(named).find(([, v]) => v === model.lastLayer().weight)?.[0];
  const { weight, C, m } = lastLayerOf(model);
  const last = weightMetrics(weight, C, m, { init: lastName && init?.[lastName] ? init[lastName].data : null, keys });
  for (const [key, value] of Object.entries(last.values)) rows.push(row(key, 'none', value));
  for (const [name, v] of Object.entries(named)) {
    if (v.rank !== 2) continue;
    const [rowsN, cols] = v.shape as [number, number];
    // ww_alpha needs every eigenvalue of the smaller Gram (~1 s at 1024 in JS): skip it beyond that.
    const wanted = new Set([...keys].filter((k) => k !== 'ww_alpha' || Math.min(rowsN, cols) <= 1024));
    const bag = weightMetrics(v.dataSync() as Float32Array, rowsN, cols, { init: init?.[name]?.data ?? null, keys: wanted });
    for (const [key, value] of Object.entries(bag.values)) rows.push(row(key, 'none', value, name));
  }
  return rows;
}

/**
 * Every closed-form metric of one checkpoint as database rows (what training measures at each
 * checkpoint): the feature metrics and the weights-only measures.
 */
export function checkpointMetricRows(model: Model, train: SplitTensors, test: SplitTensors, at: At, init?: NamedWeights): MetricRow[] {
  return [...featureMetricRows(model, train, test, at), ...weightMetricRows(model, at, init)];
}
