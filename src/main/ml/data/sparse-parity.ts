import { invalid } from '../../../shared/api/errors';
import { finishDataset, type Dataset, type Split } from './dataset';
import { createRng, type Rng } from './prng';

export interface SparseParityOptions {
  bits?: number;
  relevant?: number;
  trainSize?: number;
  testSize?: number;
  labelNoise?: number;
  normalize?: 'none' | 'standardize';
}

/** Label 1 when an odd number of the relevant bits are -1 (product of the ±1 bits is -1). */
export function parityLabel(row: ArrayLike<number>, relevant: readonly number[]): number {
  let neg = 0;
  for (const j of relevant) if (row[j] < 0) neg++;
  return neg % 2;
}

function sample(rng: Rng, n: number, bits: number, relevant: number[]): Split {
  const inputs = new Float32Array(n * bits);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = inputs.subarray(i * bits, (i + 1) * bits);
    for (let j = 0; j < bits; j++) row[j] = rng.next() < 0.5 ? -1 : 1;
    labels[i] = parityLabel(row, relevant);
  }
  return { inputs, labels, n };
}

/** (n, k)-sparse parity: uniform ±1 inputs of n bits; label = parity of k secret bits (seeded subset). */
export function sparseParity(seed: number, opts: SparseParityOptions = {}): Dataset {
  const bits = opts.bits ?? 40;
  const k = opts.relevant ?? 3;
  const nTrain = opts.trainSize ?? 1000;
  const nTest = opts.testSize ?? 1000;
  if (!Number.isInteger(bits) || bits < 1) throw invalid('dataset.bits must be an integer >= 1', { field: 'dataset.bits', value: bits });
  if (!Number.isInteger(k) || k < 1 || k > bits) {
    throw invalid(`dataset.relevant must be an integer in [1, ${bits}]`, { field: 'dataset.relevant', value: k });
  }
  for (const [field, v] of [
    ['trainSize', nTrain],
    ['testSize', nTest],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalid(`dataset.${field} must be an integer >= 1`, { field: `dataset.${field}`, value: v });
  }
  const rng = createRng(seed);
  const relevant = Array.from(rng.shuffle(Int32Array.from({ length: bits }, (_, i) => i)).subarray(0, k)).sort((a, b) => a - b);
  const ds: Dataset = {
    train: sample(rng, nTrain, bits, relevant),
    test: sample(rng, nTest, bits, relevant),
    numClasses: 2,
    inputDim: bits,
    meta: { relevant },
  };
  return finishDataset(ds, { labelNoise: opts.labelNoise ?? 0, normalize: opts.normalize ?? 'none' }, rng.fork());
}
