import { invalid } from '../../../shared/api/errors';
import type { Rng } from './prng';

/** One split as flat typed arrays (row-major). */
export interface Split {
  /** n x inputDim floats for dense data; n x tokens.length token ids for token data. */
  inputs: Float32Array | Int32Array;
  /** n class ids, or n x tokens.length next-token ids for sequence data. */
  labels: Int32Array;
  n: number;
}

export interface Dataset {
  train: Split;
  test: Split;
  numClasses: number;
  /** Width of the model input: dense dimension, or tokens * vocab (one-hot concatenated). */
  inputDim: number;
  /** Present for token data (modular arithmetic, text): each row holds `length` ids in [0, vocab). */
  tokens?: { vocab: number; length: number };
  /**
   * Next-token data: each split's labels hold one target per position (n x tokens.length, row-major), the
   * token that follows it; the models then give logits per position.
   */
  sequence?: boolean;
  /** Named evaluation sets beyond train and test (a language, a corpus), in the test split's form. */
  evalSets?: Record<string, Split>;
  /** Facts about the generated data (e.g. which parity bits matter). */
  meta: Record<string, unknown>;
}

/**
 * Replaces round(fraction * n) labels, chosen at random, by a different random class.
 * Mutates and returns `labels`; the indices changed are returned for inspection.
 */
export function applyLabelNoise(labels: Int32Array, numClasses: number, fraction: number, rng: Rng): number[] {
  if (!(fraction >= 0 && fraction < 1))
    throw invalid('dataset.labelNoise must be in [0, 1)', { field: 'dataset.labelNoise', value: fraction });
  if (fraction === 0 || numClasses < 2) return [];
  const order = rng.shuffle(Int32Array.from({ length: labels.length }, (_, i) => i));
  const count = Math.round(fraction * labels.length);
  const changed: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = order[k];
    // shift by 1..C-1 so the new label always differs from the old one
    labels[i] = (labels[i] + 1 + rng.int(numClasses - 1)) % numClasses;
    changed.push(i);
  }
  return changed.sort((a, b) => a - b);
}

/** Standardises dense inputs in place with the training split's per-feature mean and population std. */
export function standardize(train: Float32Array, test: Float32Array, dim: number): { mean: Float64Array; std: Float64Array } {
  const nTrain = train.length / dim;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (let i = 0; i < nTrain; i++) for (let j = 0; j < dim; j++) mean[j] += train[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= nTrain;
  for (let i = 0; i < nTrain; i++) {
    for (let j = 0; j < dim; j++) {
      const d = train[i * dim + j] - mean[j];
      std[j] += d * d;
    }
  }
  // a constant feature is only centred (dividing by ~0 would blow it up)
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j] / nTrain) || 1;
  for (const a of [train, test]) {
    for (let i = 0; i < a.length; i++) {
      const j = i % dim;
      a[i] = (a[i] - mean[j]) / std[j];
    }
  }
  return { mean, std };
}

/** Applies the options every dataset shares (noise on train labels, normalisation of dense inputs). */
export function finishDataset(ds: Dataset, opts: { labelNoise: number; normalize: 'none' | 'standardize' }, rng: Rng): Dataset {
  const noisy = applyLabelNoise(ds.train.labels, ds.numClasses, opts.labelNoise, rng);
  if (noisy.length > 0) ds.meta.noisyTrainLabels = noisy.length;
  if (opts.normalize === 'standardize') {
    if (ds.tokens) throw invalid("dataset.normalize must be 'none' for token datasets (modular)", { field: 'dataset.normalize' });
    standardize(ds.train.inputs as Float32Array, ds.test.inputs as Float32Array, ds.inputDim);
  }
  return ds;
}
