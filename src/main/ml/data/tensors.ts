import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';
import type { Dataset, Split } from './dataset';

export interface SplitTensors {
  /** The model's input: [n, inputDim] float (dense, or concatenated one-hot tokens) or [n, tokens] int32 ids. */
  x: tf.Tensor2D;
  /** [n] int32 labels. */
  y: tf.Tensor1D;
  /** [n, C] float one-hot labels (cross-entropy without gather, which lacks a gradient on wasm). */
  yOneHot: tf.Tensor2D;
  n: number;
}

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

/** Uploads a split once, in the input form the model takes; the caller disposes the tensors. */
export function splitTensors(ds: Dataset, split: Split, input: 'dense' | 'tokens' = 'dense'): SplitTensors {
  if (input === 'tokens' && !ds.tokens) throw invalid('this model needs a token dataset (dataset.kind modular)', { field: 'model.kind' });
  const x =
    input === 'tokens'
      ? tf.tensor2d(split.inputs as Int32Array, [split.n, ds.tokens!.length], 'int32')
      : tf.tensor2d(encodeInputs(ds, split), [split.n, ds.inputDim]);
  return {
    x,
    y: tf.tensor1d(split.labels, 'int32'),
    yOneHot: tf.tensor2d(oneHotLabels(split.labels, ds.numClasses), [split.n, ds.numClasses]),
    n: split.n,
  };
}

export function disposeSplit(s: SplitTensors): void {
  tf.dispose([s.x, s.y, s.yOneHot]);
}
