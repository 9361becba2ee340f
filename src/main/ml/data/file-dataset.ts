/** Datasets read from files (IDX, .npz, .npy, CSV), subset and checked into the common Dataset form. */
import { invalid } from '../../../shared/api/errors';
import type { FileDatasetConfig } from '../../../shared/domain/dataset-config';
import type { NdArray } from '../../io/ndarray';
import { parseNpy } from '../../io/npy';
import { parseNpz } from '../../io/npz';
import { readCsv, type RawSplit } from './csv';
import { finishDataset, type Dataset, type Split } from './dataset';
import { readIdxSplit } from './idx';
import { createRng } from './prng';
import { readDataFile } from './read-file';

function fromArrays(x: NdArray, y: NdArray, xSource: string, ySource: string): RawSplit {
  const n = x.shape[0];
  if (x.shape.length < 1) throw invalid(`${xSource}: inputs must have a leading sample dimension, got a scalar`, { source: xSource });
  if (y.shape.length !== 1) throw invalid(`${ySource}: labels must be 1-D [n], got shape [${y.shape.join(', ')}]`, { source: ySource });
  if (y.shape[0] !== n)
    throw invalid(`${ySource}: count mismatch: ${y.shape[0]} labels for ${n} input rows in ${xSource}`, { source: ySource });
  const dim = n === 0 ? 0 : x.data.length / n;
  return { inputs: Float32Array.from(x.data), labels: y.data, n, dim, labelSource: ySource };
}

function readSplits(config: FileDatasetConfig): { train: RawSplit; test: RawSplit } {
  switch (config.kind) {
    case 'idx': {
      const t = readIdxSplit(config.dir, 'train');
      const s = readIdxSplit(config.dir, 't10k');
      return { train: { ...t, labelSource: `${config.dir} (train labels)` }, test: { ...s, labelSource: `${config.dir} (t10k labels)` } };
    }
    case 'npz': {
      const arrays = parseNpz(readDataFile(config.path), config.path);
      const get = (key: string) => {
        const a = arrays.get(key);
        if (!a)
          throw invalid(
            `${config.path}: missing array '${key}' (expected x_train, y_train, x_test, y_test; found ${[...arrays.keys()].join(', ')})`,
            { source: config.path },
          );
        return a;
      };
      const at = (k: string) => `${config.path}:${k}`;
      return {
        train: fromArrays(get('x_train'), get('y_train'), at('x_train'), at('y_train')),
        test: fromArrays(get('x_test'), get('y_test'), at('x_test'), at('y_test')),
      };
    }
    case 'npy': {
      const npy = (p: string) => parseNpy(readDataFile(p), p);
      return {
        train: fromArrays(npy(config.trainInputs), npy(config.trainLabels), config.trainInputs, config.trainLabels),
        test: fromArrays(npy(config.testInputs), npy(config.testLabels), config.testInputs, config.testLabels),
      };
    }
    case 'csv': {
      const opts = { header: config.header, labelColumn: config.labelColumn };
      return { train: readCsv(config.train, opts), test: readCsv(config.test, opts) };
    }
  }
}

/** Labels as Int32Array; each must be an integer >= 0. */
function classLabels(s: RawSplit): Int32Array {
  const out = new Int32Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const v = s.labels[i];
    if (!Number.isInteger(v) || v < 0 || v > 1e6)
      throw invalid(`${s.labelSource}: label ${v} at row ${i + 1} is not a class index (an integer in [0, 1e6])`, {
        source: s.labelSource,
      });
    out[i] = v;
  }
  return out;
}

/**
 * Row indices of a subset of `size` rows: the first ones in file order, or with `balanced` the first
 * floor(size / C) of every class (the remainder to the lowest labels that still have rows).
 */
export function subsetRows(labels: Int32Array, numClasses: number, size: number, balanced: boolean, field: string): Int32Array {
  if (size > labels.length) throw invalid(`${field} must be in [1, ${labels.length}] (rows in the file)`, { field, value: size });
  if (!balanced) return Int32Array.from({ length: size }, (_, i) => i);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => byClass[y].push(i));
  const present = byClass.filter((rows) => rows.length > 0);
  const quota = present.map(() => Math.floor(size / present.length));
  for (let k = 0, extra = size % present.length; extra > 0 && k < present.length; k++, extra--) quota[k]++;
  present.forEach((rows, k) => {
    if (rows.length < quota[k]) {
      throw invalid(`${field} ${size} cannot be class-balanced: a class has only ${rows.length} rows (need ${quota[k]})`, {
        field,
        value: size,
      });
    }
  });
  return Int32Array.from(present.flatMap((rows, k) => rows.slice(0, quota[k]))).sort();
}

function take(s: RawSplit, labels: Int32Array, rows: Int32Array | null): Split {
  if (!rows) return { inputs: s.inputs, labels, n: s.n };
  const inputs = new Float32Array(rows.length * s.dim);
  rows.forEach((r, i) => inputs.set(s.inputs.subarray(r * s.dim, (r + 1) * s.dim), i * s.dim));
  return { inputs, labels: Int32Array.from(rows, (r) => labels[r]), n: rows.length };
}

export function fileDataset(config: FileDatasetConfig, seed: number): Dataset {
  const { train, test } = readSplits(config);
  if (train.dim !== test.dim)
    throw invalid(`dataset: train rows have ${train.dim} features but test rows have ${test.dim}`, { field: 'dataset' });
  if (train.n === 0 || test.n === 0) throw invalid(`dataset: the ${train.n === 0 ? 'train' : 'test'} split is empty`, { field: 'dataset' });
  const yTrain = classLabels(train);
  const yTest = classLabels(test);
  let numClasses = 0;
  for (const y of [yTrain, yTest]) for (let i = 0; i < y.length; i++) numClasses = Math.max(numClasses, y[i] + 1);
  const pick = (size: number | undefined, y: Int32Array, field: string) =>
    size === undefined ? null : subsetRows(y, numClasses, size, config.classBalanced, field);
  const ds: Dataset = {
    train: take(train, yTrain, pick(config.trainSize, yTrain, 'dataset.trainSize')),
    test: take(test, yTest, pick(config.testSize, yTest, 'dataset.testSize')),
    numClasses,
    inputDim: train.dim,
    meta: {
      source:
        config.kind === 'idx'
          ? config.dir
          : config.kind === 'npz'
            ? config.path
            : config.kind === 'csv'
              ? config.train
              : config.trainInputs,
    },
  };
  return finishDataset(ds, config, createRng(seed).fork());
}
