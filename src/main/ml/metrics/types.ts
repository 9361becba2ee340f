/** Inputs and outputs of the closed-form metrics (METRICS.md). All matrices are row-major. */

export type FloatMatrix = Float32Array | Float64Array;

/** One split: penultimate features (n x m) and integer labels in [0, C). */
export interface FeatureSplit {
  features: FloatMatrix;
  labels: ArrayLike<number>;
  n: number;
  m: number;
}

/**
 * A split read in row chunks, so n x m never has to be in memory at once: every call of `chunks()`
 * yields the rows from row 0 in order, each chunk a whole number of rows (rows x m, row-major).
 */
export interface ChunkedSplit {
  chunks(): Iterable<FloatMatrix>;
  labels: ArrayLike<number>;
  n: number;
  m: number;
}

/** What the closed-form passes read: a split in memory or in chunks. */
export type FeatureSource = FeatureSplit | ChunkedSplit;

/** Settings of the closed-form metrics (METRICS.md defaults otherwise). */
export interface ClosedFormOptions {
  /** K of the collapse keys' many-classes rule (default 1024). */
  collapseTopK?: number;
  /** kappa's route: the C x C Gram (small C) or the per-sample variance of the rows of W; 'auto' picks by C. */
  flatnessRoute?: 'auto' | 'gram' | 'variance';
}

/** The last linear layer: weight (C x m), optional bias (C). */
export interface LastLayer {
  weight: FloatMatrix;
  bias?: FloatMatrix | null;
  C: number;
  m: number;
}

/** What `computeDumpMetrics` needs; `readFeatureDump` returns a superset. */
export interface FeatureDumpData {
  train: FeatureSplit;
  test?: FeatureSplit;
  layer: LastLayer;
}

export type MetricValues = Record<string, number>;

/**
 * Values of one computation. A metric that is undefined for the input (e.g. nc1 with one class
 * present) is never NaN: it is left out of `values` and its reason is in `omitted`.
 */
export interface MetricBag {
  values: MetricValues;
  omitted: Record<string, string>;
}

export const emptyBag = (): MetricBag => ({ values: {}, omitted: {} });

/** Records a value, or the reason it is undefined; a non-finite value is turned into an omission. */
export function put(bag: MetricBag, key: string, value: number | string): void {
  if (typeof value === 'string') bag.omitted[key] = value;
  else if (Number.isFinite(value)) bag.values[key] = value;
  else bag.omitted[key] = `not finite (${value}); the inputs overflow float64`;
}
