import { invalid } from '../../../shared/api/errors';
import { isPrime, MODULAR_OPS, type ModularOp } from '../../../shared/domain/dataset-config';
import { finishDataset, type Dataset } from './dataset';
import { createRng } from './prng';

export interface ModularOptions {
  p?: number;
  op?: ModularOp;
  trainFraction?: number;
  labelNoise?: number;
  normalize?: 'none' | 'standardize';
}

const mod = (x: number, p: number) => ((x % p) + p) % p;

/** b^-1 mod p by Fermat (p prime): b^(p-2), with modular multiplication kept exact in doubles. */
function inverse(b: number, p: number): number {
  let result = 1;
  let base = mod(b, p);
  for (let e = p - 2; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % p;
    base = (base * base) % p;
  }
  return result;
}

/** (a op b) mod p; for a/b, b must be non-zero. */
export function modularLabel(op: ModularOp, a: number, b: number, p: number): number {
  switch (op) {
    case 'a+b':
      return mod(a + b, p);
    case 'a-b':
      return mod(a - b, p);
    case 'a*b':
      return mod(a * b, p);
    case 'a/b':
      return mod(a * inverse(b, p), p);
    case 'a^2+b^2':
      return mod(a * a + b * b, p);
    case 'a^2+ab+b^2':
      return mod(a * a + a * b + b * b, p);
    case 'a^3+ab':
      return mod(mod(a * a, p) * a + a * b, p);
  }
}

/**
 * All pairs (a, b) in [0, p)^2 (b != 0 for division), labelled (a op b) mod p, shuffled with the
 * seed and split: the first round(trainFraction * N) pairs train, the rest test.
 * Inputs are token ids [a, b] per row; models one-hot them (embeddings as one-hot matMul).
 */
export function modularArithmetic(seed: number, opts: ModularOptions = {}): Dataset {
  const p = opts.p ?? 97;
  const op = opts.op ?? 'a+b';
  const frac = opts.trainFraction ?? 0.3;
  if (!Number.isInteger(p) || p < 2 || p > 1000)
    throw invalid('dataset.p must be an integer in [2, 1000]', { field: 'dataset.p', value: p });
  if (!MODULAR_OPS.includes(op)) throw invalid(`dataset.op must be one of ${MODULAR_OPS.join(', ')}`, { field: 'dataset.op', value: op });
  if (op === 'a/b' && !isPrime(p)) throw invalid('dataset.p must be prime for op a/b', { field: 'dataset.p', value: p });
  if (!(frac > 0 && frac < 1)) throw invalid('dataset.trainFraction must be in (0, 1)', { field: 'dataset.trainFraction', value: frac });

  const bStart = op === 'a/b' ? 1 : 0;
  const total = p * (p - bStart);
  const pairs = new Int32Array(total * 2);
  const labels = new Int32Array(total);
  let k = 0;
  for (let a = 0; a < p; a++) {
    for (let b = bStart; b < p; b++) {
      pairs[2 * k] = a;
      pairs[2 * k + 1] = b;
      labels[k] = modularLabel(op, a, b, p);
      k++;
    }
  }
  const rng = createRng(seed);
  const order = rng.shuffle(Int32Array.from({ length: total }, (_, i) => i));
  const nTrain = Math.min(total - 1, Math.max(1, Math.round(frac * total)));
  const take = (from: number, to: number) => {
    const n = to - from;
    const inputs = new Int32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const src = order[from + i];
      inputs[2 * i] = pairs[2 * src];
      inputs[2 * i + 1] = pairs[2 * src + 1];
      y[i] = labels[src];
    }
    return { inputs, labels: y, n };
  };
  const ds: Dataset = {
    train: take(0, nTrain),
    test: take(nTrain, total),
    numClasses: p,
    inputDim: 2 * p,
    tokens: { vocab: p, length: 2 },
    meta: { p, op, pairs: total },
  };
  return finishDataset(ds, { labelNoise: opts.labelNoise ?? 0, normalize: opts.normalize ?? 'none' }, rng.fork());
}
