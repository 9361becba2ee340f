import { invalid } from '../../../shared/api/errors';
import { finishDataset, type Dataset, type Split } from './dataset';
import { createRng, type Rng } from './prng';

export interface GaussianMixtureOptions {
  classes?: number;
  dim?: number;
  /** Norm of each class mean; samples are mean + N(0, I). */
  separation?: number;
  trainSize?: number;
  testSize?: number;
  labelNoise?: number;
  normalize?: 'none' | 'standardize';
}

function sample(rng: Rng, means: Float32Array[], n: number, dim: number): Split {
  const C = means.length;
  const labels = new Int32Array(n);
  // balanced classes, shuffled order
  for (let i = 0; i < n; i++) labels[i] = i % C;
  rng.shuffle(labels);
  const inputs = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const mu = means[labels[i]];
    for (let j = 0; j < dim; j++) inputs[i * dim + j] = mu[j] + rng.normal();
  }
  return { inputs, labels, n };
}

/** C isotropic unit-variance Gaussians whose means are random directions of norm `separation`. */
export function gaussianMixture(seed: number, opts: GaussianMixtureOptions = {}): Dataset {
  const C = opts.classes ?? 4;
  const dim = opts.dim ?? 16;
  const sep = opts.separation ?? 3;
  const nTrain = opts.trainSize ?? 1000;
  const nTest = opts.testSize ?? 1000;
  if (!Number.isInteger(C) || C < 2) throw invalid('dataset.classes must be an integer >= 2', { field: 'dataset.classes', value: C });
  if (!Number.isInteger(dim) || dim < 1) throw invalid('dataset.dim must be an integer >= 1', { field: 'dataset.dim', value: dim });
  if (!(sep > 0)) throw invalid('dataset.separation must be > 0', { field: 'dataset.separation', value: sep });
  for (const [field, v] of [
    ['trainSize', nTrain],
    ['testSize', nTest],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalid(`dataset.${field} must be an integer >= 1`, { field: `dataset.${field}`, value: v });
  }
  const rng = createRng(seed);
  const means = Array.from({ length: C }, () => {
    const v = new Float32Array(dim);
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      v[j] = rng.normal();
      norm += v[j] * v[j];
    }
    const scale = sep / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) v[j] *= scale;
    return v;
  });
  const ds: Dataset = {
    train: sample(rng, means, nTrain, dim),
    test: sample(rng, means, nTest, dim),
    numClasses: C,
    inputDim: dim,
    meta: { means: means.map((m) => Array.from(m)) },
  };
  return finishDataset(ds, { labelNoise: opts.labelNoise ?? 0, normalize: opts.normalize ?? 'none' }, rng.fork());
}
