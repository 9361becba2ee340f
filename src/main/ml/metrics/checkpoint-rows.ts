import { metricInfo } from '../../../shared/domain/metrics';
import type { MetricRow } from '../../../shared/jobs/messages';
import { CLOSED_FORM_KEYS, computeDumpMetrics, PER_SPLIT_KEYS } from './closed-form';
import { collapseClasses, DEFAULT_COLLAPSE_TOP_K } from './collapse-classes';
import { classMeanGeometry } from './collapse-geometry';
import type { NamedWeights } from './producers';
import type { ClosedFormOptions, FeatureSplit, LastLayer } from './types';
import { WEIGHT_KEYS, weightMetrics } from './weights';

/*
 * A checkpoint's closed-form metric rows from what was captured of it (plain arrays): pure, no tfjs, so the
 * train worker's measuring thread loads none. Capturing from a live model is model-metrics.ts.
 */

const FEATURE_KEYS = CLOSED_FORM_KEYS.filter((k) => !WEIGHT_KEYS.includes(k));

export type At = { step: number; epoch: number | null };
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

/** The buffers of a capture, for a postMessage transfer list. */
export const captureBuffers = (c: CheckpointCapture): ArrayBuffer[] => [
  ...featureBuffers(c), // each once: a buffer listed twice cannot be transferred
  ...[
    c.train.labels,
    c.test.labels,
    ...Object.values(c.sets ?? {}).map((f) => f.labels),
    c.layer.weight,
    c.layer.bias,
    ...c.weights.map((w) => w.data),
  ]
    .filter((a): a is Float32Array | Int32Array => ArrayBuffer.isView(a))
    .map((a) => a.buffer as ArrayBuffer),
];

/** The feature arrays' buffers (each split's features fill one buffer of their own: modelFeatures). */
export const featureBuffers = (c: CheckpointCapture): ArrayBuffer[] => [
  ...new Set(
    [c.train, c.test, ...Object.values(c.sets ?? {})]
      .map((f) => f.features)
      .filter(ArrayBuffer.isView)
      .map((a) => a.buffer as ArrayBuffer),
  ),
];

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
