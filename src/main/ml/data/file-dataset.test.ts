import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../../shared/api/errors';
import { DEBIAN_FASHION_MNIST_DIR } from '../../../shared/domain/presets';
import { parseTrainConfig } from '../validate-config';
import { makeDataset } from './make-dataset';

const dir = mkdtempSync(join(tmpdir(), 'plateau-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: 00 00 type ndims, big-endian sizes, then the bytes given. */
function idx(type: number, shape: number[], body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(head.buffer);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((s, i) => view.setUint32(4 + 4 * i, s, false));
  return Uint8Array.from([...head, ...body]);
}

/** n images of 2x2 pixels; pixel value = 10 * row index + label, label = row % 3. */
function writeIdxDir(name: string, n: number, nTest: number, gz: boolean, mutate?: (files: Record<string, Uint8Array>) => void): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  const split = (k: number) => ({
    images: idx(
      0x08,
      [k, 2, 2],
      Uint8Array.from({ length: k * 4 }, (_, i) => Math.floor(i / 4) * 10 + (Math.floor(i / 4) % 3)),
    ),
    labels: idx(
      0x08,
      [k],
      Uint8Array.from({ length: k }, (_, i) => i % 3),
    ),
  });
  const tr = split(n);
  const te = split(nTest);
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': tr.images,
    'train-labels-idx1-ubyte': tr.labels,
    't10k-images-idx3-ubyte': te.images,
    't10k-labels-idx1-ubyte': te.labels,
  };
  mutate?.(files);
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(d, gz ? `${f}.gz` : f), gz ? gzipSync(bytes) : bytes);
  return d;
}

const load = (dataset: Record<string, unknown>) => {
  const c = parseTrainConfig({ dataset, model: { kind: 'mlp' }, optimizer: { kind: 'sgd', lr: 0.1 }, epochs: 1 });
  return makeDataset(c.dataset, c.seed);
};
const errorOf = (f: () => unknown): PlateauError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PlateauError);
    return e as PlateauError;
  }
  throw new Error('expected an error');
};

/** A little-endian .npy of float32 or int32. */
function npy(shape: number[], data: Float32Array | Int32Array): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  return Uint8Array.from([...head, ...new Uint8Array(data.buffer)]);
}

describe('IDX datasets', () => {
  for (const gz of [false, true]) {
    it(`reads MNIST-layout files (${gz ? 'gzipped' : 'raw'}), scaling bytes to [0, 1]`, () => {
      const ds = load({ kind: 'idx', dir: writeIdxDir(`ok-${gz}`, 12, 6, gz) });
      expect(ds.train.n).toBe(12);
      expect(ds.test.n).toBe(6);
      expect(ds.inputDim).toBe(4);
      expect(ds.numClasses).toBe(3);
      expect(Array.from(ds.train.labels.subarray(0, 4))).toEqual([0, 1, 2, 0]);
      expect(ds.train.inputs[4 * 5]).toBeCloseTo(52 / 255, 6);
    });
  }

  it('takes class-balanced and plain subsets', () => {
    const d = writeIdxDir('subset', 30, 9, false);
    const bal = load({ kind: 'idx', dir: d, trainSize: 7, testSize: 3, classBalanced: true });
    const counts = [0, 0, 0];
    bal.train.labels.forEach((y) => counts[y]++);
    expect(counts).toEqual([3, 2, 2]);
    expect(bal.test.n).toBe(3);
    const plain = load({ kind: 'idx', dir: d, trainSize: 5 });
    expect(Array.from(plain.train.labels)).toEqual([0, 1, 2, 0, 1]);
    expect(errorOf(() => load({ kind: 'idx', dir: d, trainSize: 31 })).message).toMatch(/^dataset\.trainSize must be in \[1, 30\]/);
  });

  it('names the file and the problem for missing, truncated, foreign and mismatched files', () => {
    expect(errorOf(() => load({ kind: 'idx', dir: join(dir, 'nope') })).message).toMatch(/train-images-idx3-ubyte.*no such file/);
    const trunc = writeIdxDir('trunc', 6, 3, true, (f) => (f['train-images-idx3-ubyte'] = f['train-images-idx3-ubyte'].subarray(0, 30)));
    expect(errorOf(() => load({ kind: 'idx', dir: trunc })).message).toMatch(
      /train-images-idx3-ubyte\.gz: truncated: shape 6x2x2 of ubyte needs 24 data bytes but only 14 remain/,
    );
    const magic = writeIdxDir('magic', 6, 3, false, (f) => (f['t10k-labels-idx1-ubyte'] = new TextEncoder().encode('hello world')));
    expect(errorOf(() => load({ kind: 'idx', dir: magic })).message).toMatch(/t10k-labels-idx1-ubyte: bad magic/);
    const count = writeIdxDir('count', 6, 3, false, (f) => (f['train-labels-idx1-ubyte'] = idx(0x08, [5], new Uint8Array(5))));
    expect(errorOf(() => load({ kind: 'idx', dir: count })).message).toMatch(
      /train-labels-idx1-ubyte: count mismatch: 5 labels for 6 images/,
    );
    const gzBad = writeIdxDir('gzbad', 6, 3, false);
    writeFileSync(join(gzBad, 'train-images-idx3-ubyte'), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    expect(errorOf(() => load({ kind: 'idx', dir: gzBad })).message).toMatch(/train-images-idx3-ubyte: corrupt gzip data/);
  });

  it.skipIf(!existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))(
    "reads Debian's Fashion-MNIST (skipped when dataset-fashion-mnist is not installed)",
    () => {
      const ds = load({ kind: 'idx', dir: DEBIAN_FASHION_MNIST_DIR, trainSize: 1000, classBalanced: true });
      expect(ds.inputDim).toBe(784);
      expect(ds.numClasses).toBe(10);
      expect(ds.train.n).toBe(1000);
      expect(ds.test.n).toBe(10000);
      const counts = new Array(10).fill(0);
      ds.train.labels.forEach((y) => counts[y]++);
      expect(counts).toEqual(new Array(10).fill(100));
      expect((ds.train.inputs as Float32Array).reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(1);
    },
  );
});

describe('npy, npz and CSV datasets', () => {
  const x = Float32Array.from({ length: 8 * 3 }, (_, i) => i / 10);
  const y = Int32Array.from({ length: 8 }, (_, i) => i % 2);

  it('reads four .npy files and a Keras-layout .npz', () => {
    const p = (f: string) => join(dir, f);
    writeFileSync(p('xtr.npy'), npy([8, 3], x));
    writeFileSync(p('ytr.npy'), npy([8], y));
    const ds = load({
      kind: 'npy',
      trainInputs: p('xtr.npy'),
      trainLabels: p('ytr.npy'),
      testInputs: p('xtr.npy'),
      testLabels: p('ytr.npy'),
    });
    expect([ds.train.n, ds.inputDim, ds.numClasses]).toEqual([8, 3, 2]);
    expect(ds.train.inputs[4]).toBeCloseTo(0.4, 6);
    writeFileSync(
      p('d.npz'),
      zipSync({ 'x_train.npy': npy([8, 3], x), 'y_train.npy': npy([8], y), 'x_test.npy': npy([8, 3], x), 'y_test.npy': npy([8], y) }),
    );
    expect(load({ kind: 'npz', path: p('d.npz'), trainSize: 4, classBalanced: true }).train.labels).toEqual(Int32Array.from([0, 1, 0, 1]));
    writeFileSync(p('bad.npz'), zipSync({ 'x_train.npy': npy([8, 3], x) }));
    expect(errorOf(() => load({ kind: 'npz', path: p('bad.npz') })).message).toMatch(/bad\.npz: missing array 'y_train'/);
    writeFileSync(p('ybad.npy'), npy([7], y.slice(0, 7)));
    const mismatch = {
      kind: 'npy',
      trainInputs: p('xtr.npy'),
      trainLabels: p('ybad.npy'),
      testInputs: p('xtr.npy'),
      testLabels: p('ytr.npy'),
    };
    expect(errorOf(() => load(mismatch)).message).toMatch(/ybad\.npy: count mismatch: 7 labels for 8 input rows/);
  });

  it('reads CSV with the label last or in a named column, and names a bad cell', () => {
    const p = (f: string) => join(dir, f);
    writeFileSync(p('a.csv'), '0.5,1,0\n2,3,1\n4,5,1\n');
    const ds = load({ kind: 'csv', train: p('a.csv'), test: p('a.csv') });
    expect([ds.train.n, ds.inputDim, ds.numClasses]).toEqual([3, 2, 2]);
    expect(Array.from(ds.train.inputs.subarray(0, 2))).toEqual([0.5, 1]);
    writeFileSync(p('h.csv'), 'label,f1,f2\n2,0.1,0.2\n0,0.3,0.4\n');
    const named = load({ kind: 'csv', train: p('h.csv'), test: p('h.csv'), labelColumn: 'label' });
    expect(Array.from(named.train.labels)).toEqual([2, 0]);
    expect(named.train.inputs[3]).toBeCloseTo(0.4, 6);
    writeFileSync(p('bad.csv'), 'label,f1,f2\n2,0.1,0.2\n0,abc,0.4\n');
    expect(errorOf(() => load({ kind: 'csv', train: p('bad.csv'), test: p('h.csv'), header: true })).message).toMatch(
      /bad\.csv: non-numeric cell 'abc' at row 3, column 2/,
    );
    expect(errorOf(() => load({ kind: 'csv', train: p('h.csv'), test: p('h.csv'), labelColumn: 'y' })).message).toMatch(
      /labelColumn 'y' is not in the header/,
    );
    writeFileSync(p('frac.csv'), '1,0.5\n2,1.5\n');
    expect(errorOf(() => load({ kind: 'csv', train: p('frac.csv'), test: p('frac.csv') })).message).toMatch(
      /frac\.csv.*label 0\.5 at row 1 is not a class index/,
    );
  });
});
