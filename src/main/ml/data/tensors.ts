import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';
import type { Dataset, Split } from './dataset';

/**
 * A split uploaded in the model's input form. Targets are flat: one per row (classification) or one per
 * position of each row (next-token prediction, `perRow` = T, row i's targets at i*T .. i*T + T - 1), in
 * the row order of the model's logits, so losses, accuracy and every per-sample metric read positions
 * as samples.
 */
export interface SplitTensors {
  /** The model's input: [n, inputDim] float (dense, or concatenated one-hot tokens) or [n, tokens] int32 ids. */
  x: tf.Tensor2D;
  /** [n * perRow] int32 targets. */
  y: tf.Tensor1D;
  /**
   * [n * perRow, C] float one-hot targets (cross-entropy without gather, which lacks a gradient on wasm);
   * kept whole only when small, else built per batch by `rowsOf` / `gatherRows`.
   */
  yOneHot?: tf.Tensor2D;
  /** Input rows. */
  n: number;
  /** Targets per input row. */
  perRow: number;
  numClasses: number;
}

/** One-hot targets are kept for a whole split up to this many floats (64 MiB); beyond, per batch. */
const WHOLE_ONE_HOT_MAX = 16 * 2 ** 20;

/** Model input rows as floats: token rows become one-hot blocks [onehot(t0) | onehot(t1) | ...]. */
export function encodeInputs(ds: Dataset, split: Split): Float32Array {
  if (!ds.tokens) return split.inputs as Float32Array;
  const { vocab, length } = ds.tokens;
  const out = new Float32Array(split.n * length * vocab);
  for (let i = 0; i < split.n; i++) {
    for (let t = 0; t < length; t++) out[(i * length + t) * vocab + split.inputs[i * length + t]] = 1;
  }
  return out;
}

export function oneHotLabels(labels: Int32Array, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + labels[i]] = 1;
  return out;
}

/** Targets per input row of a dataset: its context length for next-token data, else 1. */
export const targetsPerRow = (ds: Dataset): number => (ds.sequence ? ds.tokens!.length : 1);

/** Uploads a split once (its first `maxRows` rows when given), in the input form the model takes; the caller disposes. */
export function splitTensors(ds: Dataset, split: Split, input: 'dense' | 'tokens' = 'dense', maxRows?: number): SplitTensors {
  if (input === 'tokens' && !ds.tokens)
    throw invalid('this model needs a token dataset (dataset.kind modular or text)', { field: 'model.kind' });
  const perRow = targetsPerRow(ds);
  const n = Math.min(split.n, maxRows ?? split.n);
  const width = input === 'tokens' ? ds.tokens!.length : ds.inputDim;
  const inputs = input === 'tokens' ? (split.inputs as Int32Array).subarray(0, n * width) : encodeInputs(ds, split).subarray(0, n * width);
  const labels = split.labels.subarray(0, n * perRow);
  const x = input === 'tokens' ? tf.tensor2d(inputs, [n, width], 'int32') : tf.tensor2d(inputs, [n, width]);
  const small = labels.length * ds.numClasses <= WHOLE_ONE_HOT_MAX;
  return {
    x,
    y: tf.tensor1d(labels, 'int32'),
    yOneHot: small ? tf.tensor2d(oneHotLabels(labels, ds.numClasses), [labels.length, ds.numClasses]) : undefined,
    n,
    perRow,
    numClasses: ds.numClasses,
  };
}

/** Rows [start, start + size) as model input, targets and one-hot targets; new tensors the caller disposes. */
export function rowsOf(s: SplitTensors, start: number, size: number): { x: tf.Tensor2D; y: tf.Tensor1D; y1h: tf.Tensor2D } {
  return tf.tidy(() => {
    const whole = start === 0 && size === s.n;
    const x = whole ? s.x.clone() : (tf.slice(s.x, [start, 0], [size, -1]) as tf.Tensor2D);
    const y = whole ? s.y.clone() : (tf.slice(s.y, [start * s.perRow], [size * s.perRow]) as tf.Tensor1D);
    const y1h = s.yOneHot
      ? whole
        ? s.yOneHot.clone()
        : (tf.slice(s.yOneHot, [start * s.perRow, 0], [size * s.perRow, -1]) as tf.Tensor2D)
      : (tf.oneHot(y, s.numClasses).toFloat() as tf.Tensor2D);
    return { x, y, y1h };
  });
}

/** Rows picked by index (minibatches) with their one-hot targets; new tensors the caller disposes. */
export function gatherRows(s: SplitTensors, idx: Int32Array): { x: tf.Tensor2D; y1h: tf.Tensor2D } {
  return tf.tidy(() => {
    const i = tf.tensor1d(idx, 'int32');
    const x = tf.gather(s.x, i) as tf.Tensor2D;
    if (s.perRow === 1 && s.yOneHot) return { x, y1h: tf.gather(s.yOneHot, i) as tf.Tensor2D };
    const y = tf.reshape(tf.gather(tf.reshape(s.y, [s.n, s.perRow]), i), [idx.length * s.perRow]) as tf.Tensor1D;
    return { x, y1h: tf.oneHot(y, s.numClasses).toFloat() as tf.Tensor2D };
  });
}

/** Targets the Hessian measures see at most when a split's one-hot targets are not kept whole (bounded memory). */
const HESSIAN_MAX_TARGETS = 8192;

/**
 * What the Hessian operator takes: the whole split with its one-hot targets, or, for a split too large to
 * hold them (next-token data), its first rows up to HESSIAN_MAX_TARGETS targets. `owned`: tensors to dispose.
 */
export function hessianInput(s: SplitTensors): { x: tf.Tensor2D; yOneHot: tf.Tensor2D; owned: tf.Tensor[] } {
  if (s.yOneHot) return { x: s.x, yOneHot: s.yOneHot, owned: [] };
  const { x, y, y1h } = rowsOf(s, 0, Math.max(1, Math.min(s.n, Math.floor(HESSIAN_MAX_TARGETS / s.perRow))));
  y.dispose();
  return { x, yOneHot: y1h, owned: [x, y1h] };
}

export function disposeSplit(s: SplitTensors): void {
  tf.dispose([s.x, s.y, ...(s.yOneHot ? [s.yOneHot] : [])]);
}
