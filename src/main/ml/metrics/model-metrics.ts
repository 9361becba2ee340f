import * as tf from '@tensorflow/tfjs';
import type { SplitTensors } from '../data/tensors';
import type { Model } from '../models/model';
import { readInto } from '../ops/read-into';
import {
  checkpointRowsFrom,
  featureRowsFrom,
  weightRowsFrom,
  type At,
  type CheckpointCapture,
  type WeightsCapture,
} from './checkpoint-rows';
import type { NamedWeights } from './producers';
import type { ClosedFormOptions, FeatureSplit, LastLayer } from './types';

const BATCH = 4096; // rows per forward pass: bounds memory on big splits

/** Where a capture's feature arrays come from: a fresh array, or a spare of that length to overwrite. */
export type FeatureAlloc = (length: number) => Float32Array;
const fresh: FeatureAlloc = (length) => new Float32Array(length);

/** Penultimate features of a whole split (one row per target: per position for next-token data), in batches. */
export function modelFeatures(model: Model, split: SplitTensors, alloc: FeatureAlloc = fresh): FeatureSplit {
  let features: Float32Array | undefined;
  let m = 0;
  const targets = split.n * split.perRow;
  const batch = Math.min(model.evalBatch ?? BATCH, Math.max(1, Math.floor(BATCH / split.perRow)));
  for (let start = 0; start < split.n; start += batch) {
    const size = Math.min(batch, split.n - start);
    const f = tf.tidy(() => model.forward(split.x.slice([start, 0], [size, -1]) as tf.Tensor2D).features);
    m = f.shape[1];
    features ??= alloc(targets * m);
    readInto(f, features, start * split.perRow * m);
    f.dispose();
  }
  return { features: features ?? new Float32Array(0), labels: split.y.dataSync() as Int32Array, n: targets, m };
}

export function lastLayerOf(model: Model): LastLayer {
  const { weight, bias } = model.lastLayer();
  const [C, m] = weight.shape as [number, number];
  return { weight: weight.dataSync() as Float32Array, bias: bias ? (bias.dataSync() as Float32Array) : null, C, m };
}

export function captureWeights(model: Model): WeightsCapture {
  const layer = lastLayerOf(model);
  return {
    // slice: a copy of its own (the cpu backend's dataSync is the tensor's own array), made as one memcpy
    layer: { ...layer, weight: layer.weight.slice(), bias: layer.bias ? layer.bias.slice() : null },
    lastName: Object.entries(model.namedWeights()).find(([, v]) => v === model.lastLayer().weight)?.[0],
    weights: Object.entries(model.namedWeights())
      .filter(([, v]) => v.rank === 2)
      .map(([name, v]) => ({ name, rows: v.shape[0]!, cols: v.shape[1]!, data: (v.dataSync() as Float32Array).slice() })),
  };
}

export function captureCheckpoint(
  model: Model,
  train: SplitTensors,
  test: SplitTensors,
  sets: Record<string, SplitTensors> = {},
  alloc: FeatureAlloc = fresh,
): CheckpointCapture {
  const own = (f: FeatureSplit): FeatureSplit => ({ ...f, labels: Int32Array.from(f.labels) });
  const named = Object.entries(sets).map(([name, s]) => [name, own(modelFeatures(model, s, alloc))] as const);
  return {
    ...captureWeights(model),
    train: own(modelFeatures(model, train, alloc)),
    test: own(modelFeatures(model, test, alloc)),
    ...(named.length ? { sets: Object.fromEntries(named) } : {}),
  };
}

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
