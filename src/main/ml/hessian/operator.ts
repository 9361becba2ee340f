import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';
import type { Model } from '../models/model';
import { softmaxCrossEntropy } from '../ops/cross-entropy';
import { hvp, installSecondOrderGradients } from './second-order';

/**
 * A symmetric linear operator on flat float64 vectors. The spectral algorithms work on this, so they
 * can be tested on dense matrices and run on any parameter subset. Vectors are float64 so that dot
 * products, orthogonalisation and running means accumulate in float64 (HVPs themselves are float32).
 */
export interface HessianOperator {
  readonly dim: number;
  apply(v: Float64Array): Float64Array;
}

/**
 * Model input and one-hot targets of a split, as uploaded tensors (not disposed here): one target row per
 * input row, or per position (next-token data: T rows per input row, in the logits' order).
 */
export interface SplitInput {
  x: tf.Tensor2D;
  yOneHot: tf.Tensor2D;
}

export interface DatasetHessian extends HessianOperator {
  /** Parameter names, in the flattening order. */
  readonly names: string[];
  readonly shapes: number[][];
  /** Number of HVPs (each over the whole split) applied so far. */
  readonly applications: number;
  dispose(): void;
}

export const DEFAULT_BATCH_SIZE = 1000;

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: Float64Array): number => Math.sqrt(dot(a, a));

/** a += alpha * b, in place. */
export function axpy(a: Float64Array, alpha: number, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += alpha * b[i];
}

export function scaled(a: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = alpha * a[i];
  return out;
}

/** Removes the components of v along each (unit, mutually orthogonal) basis vector, in place. */
export function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const b of basis) axpy(v, -dot(v, b), b);
}

/**
 * Parameters named `layer` exactly, or under it (`layers.1` = `layers.1.weight` + `layers.1.bias`);
 * all of the model's weights when `layer` is undefined. Order follows `namedWeights()`.
 */
export function selectParams(model: Model, layer?: string): { names: string[]; params: tf.Variable[] } {
  const named = model.namedWeights();
  const names = Object.keys(named).filter((n) => layer === undefined || n === layer || n.startsWith(`${layer}.`));
  if (names.length === 0) {
    throw invalid(`no weight named '${layer}' (or under it); the model has: ${Object.keys(named).join(', ')}`, {
      field: 'layer',
      value: layer,
    });
  }
  return { names, params: names.map((n) => named[n]) };
}

/**
 * Hessian of the mean softmax cross-entropy over a whole split w.r.t. `params`. The split is cut
 * into batches once; an application sums the batches' HVPs, each weighted by n_b / n, so memory is
 * bounded by one batch's double-backward graph however large the split is.
 */
export function datasetHessian(
  model: Model,
  split: SplitInput,
  names: string[],
  params: tf.Variable[],
  batchSize = DEFAULT_BATCH_SIZE,
): DatasetHessian {
  const n = split.x.shape[0];
  if (n === 0) throw invalid('Hessian of an empty split');
  const perRow = split.yOneHot.shape[0] / n;
  if (!Number.isInteger(perRow) || perRow < 1) throw invalid(`split has ${n} inputs but ${split.yOneHot.shape[0]} labels`);
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw invalid('batchSize must be a positive integer', { field: 'batchSize', value: batchSize });
  installSecondOrderGradients();
  const batches: { x: tf.Tensor2D; y: tf.Tensor2D; weight: number }[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    batches.push({
      x: size === n ? split.x.clone() : tf.slice(split.x, [start, 0], [size, -1]),
      y: size === n ? split.yOneHot.clone() : tf.slice(split.yOneHot, [start * perRow, 0], [size * perRow, -1]),
      weight: size / n,
    });
  }
  const shapes = params.map((p) => p.shape.slice());
  const sizes = params.map((p) => p.size);
  const dim = sizes.reduce((a, b) => a + b, 0);
  let applications = 0;
  return {
    dim,
    names,
    shapes,
    get applications() {
      return applications;
    },
    apply(v) {
      if (v.length !== dim) throw invalid(`Hessian operator of dimension ${dim} applied to a vector of length ${v.length}`);
      const out = new Float64Array(dim);
      const dirs = toTensors(v, shapes, sizes);
      try {
        for (const b of batches) {
          const loss = () => tf.mul(softmaxCrossEntropy(model.forward(b.x).logits, b.y), b.weight) as tf.Scalar;
          const hv = hvp(loss, params, dirs);
          let offset = 0;
          hv.forEach((t, i) => {
            const data = t.dataSync();
            for (let k = 0; k < sizes[i]; k++) out[offset + k] += data[k];
            offset += sizes[i];
          });
          tf.dispose(hv);
        }
      } finally {
        tf.dispose(dirs);
      }
      applications++;
      return out;
    },
    dispose() {
      for (const b of batches) tf.dispose([b.x, b.y]);
      batches.length = 0;
    },
  };
}

function toTensors(v: Float64Array, shapes: number[][], sizes: number[]): tf.Tensor[] {
  let offset = 0;
  return shapes.map((shape, i) => {
    const t = tf.tensor(Float32Array.from(v.subarray(offset, offset + sizes[i])), shape);
    offset += sizes[i];
    return t;
  });
}

/** A dense symmetric matrix (row-major, float64) as an operator: tests and small problems. */
export function denseOperator(matrix: ArrayLike<number>, dim: number): HessianOperator {
  return {
    dim,
    apply(v) {
      const out = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += matrix[i * dim + j] * v[j];
        out[i] = s;
      }
      return out;
    },
  };
}

/** The full matrix of an operator, one column per application (tests and tiny models only). */
export function denseMatrix(op: HessianOperator): Float64Array {
  const d = op.dim;
  const m = new Float64Array(d * d);
  const e = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    const col = op.apply(e);
    for (let i = 0; i < d; i++) m[i * d + j] = col[i];
  }
  return m;
}

/** vec(A^T) of a row-major rows x cols matrix A, in float64. */
export function transposed(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/**
 * The same Hessian in transposed coordinates: `op` acts on vec(W) of a rows x cols weight; the result acts
 * on vec(W^T) (a permutation similarity, so the spectrum is the same). For weights stored in x out.
 */
export function transposedOperator(op: HessianOperator, rows: number, cols: number): HessianOperator {
  return { dim: op.dim, apply: (v) => transposed(op.apply(transposed(v, cols, rows)), rows, cols) };
}
