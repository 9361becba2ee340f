import type { NdArray } from './ndarray';

/** A tensor's name and shape, known before its data is read. `dtype` uses NdArray's NumPy spelling. */
export interface TensorInfo {
  /** Dotted path from nested containers, e.g. 'model.layers.0.weight' or 'optimizer.state.0.momentum_buffer'. */
  name: string;
  shape: number[];
  dtype: string;
  /** NaN and infinite values, when already known (formats read whole, or after `load`); absent when none. */
  nonFinite?: number;
}

/** A tensor with its data (row-major; f2/bf16 widen to Float32Array, i8 to exact Float64Array). */
export interface ImportedTensor extends NdArray {
  name: string;
  /** NaN and infinite values in the data; absent when none. Such a tensor is imported but never measured. */
  nonFinite?: number;
}

/** A plain value found beside the tensors (epoch, lr, a run name); bigints come back as strings. */
export type ImportScalar = number | string | boolean;

/** Something in the file that is neither a tensor nor a scalar, and why it was left out. */
export interface SkippedEntry {
  name: string;
  reason: string;
}
