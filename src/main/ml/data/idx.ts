/**
 * IDX files (the MNIST format: 0x00 0x00 <dtype> <ndims>, ndims big-endian uint32 sizes, big-endian data).
 * Hand-written with bounds checks so a truncated or foreign file is one clear error naming it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { invalid, notFound } from '../../../shared/api/errors';
import { readDataFile } from './read-file';

export interface IdxArray {
  shape: number[];
  /** Unsigned bytes stay Uint8Array (images); everything else is Float64Array. */
  data: Uint8Array | Float64Array;
}

const DTYPES: Record<number, { name: string; width: number }> = {
  0x08: { name: 'ubyte', width: 1 },
  0x09: { name: 'sbyte', width: 1 },
  0x0b: { name: 'short', width: 2 },
  0x0c: { name: 'int', width: 4 },
  0x0d: { name: 'float', width: 4 },
  0x0e: { name: 'double', width: 8 },
};

export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw fail('bad magic: not an IDX file (expected bytes 00 00 <type> <ndims>)');
  const dtype = DTYPES[bytes[2]];
  if (!dtype) throw fail(`bad magic: unknown IDX element type 0x${bytes[2].toString(16)}`);
  const ndims = bytes[3];
  if (ndims < 1) throw fail('bad magic: IDX header declares 0 dimensions');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = 4 + 4 * ndims;
  if (bytes.length < start) throw fail(`truncated: file ends inside the header (${ndims} dimension sizes)`);
  const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * dtype.width;
  const have = bytes.length - start;
  if (have < need) throw fail(`truncated: shape ${shape.join('x')} of ${dtype.name} needs ${need} data bytes but only ${have} remain`);
  if (have > need) throw fail(`${have - need} unexpected bytes after the data of shape ${shape.join('x')}`);
  if (dtype.width === 1 && dtype.name === 'ubyte') return { shape, data: bytes.slice(start, start + need) };
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const o = start + i * dtype.width;
    switch (dtype.name) {
      case 'sbyte':
        data[i] = view.getInt8(o);
        break;
      case 'short':
        data[i] = view.getInt16(o, false);
        break;
      case 'int':
        data[i] = view.getInt32(o, false);
        break;
      case 'float':
        data[i] = view.getFloat32(o, false);
        break;
      default:
        data[i] = view.getFloat64(o, false);
    }
  }
  return { shape, data };
}

/** The file for one of the four MNIST-layout members: `<split>-<kind>-idx<d>-ubyte` or `.idx<d>-ubyte`, raw or .gz. */
export function findIdxFile(dir: string, split: 'train' | 't10k', what: 'images' | 'labels'): string {
  const d = what === 'images' ? 3 : 1;
  const names = [`${split}-${what}-idx${d}-ubyte`, `${split}-${what}.idx${d}-ubyte`];
  for (const name of names) for (const ext of ['', '.gz']) if (existsSync(join(dir, name + ext))) return join(dir, name + ext);
  throw notFound(`${join(dir, names[0])}[.gz]: no such file (dataset.dir must hold the MNIST-layout IDX files)`, {
    field: 'dataset.dir',
    source: dir,
  });
}

export function readIdx(path: string): IdxArray {
  return parseIdx(readDataFile(path), path);
}

/** Images and labels of one split: rows flattened, ubyte pixels scaled to [0, 1]. */
export function readIdxSplit(dir: string, split: 'train' | 't10k'): { inputs: Float32Array; labels: Float64Array; n: number; dim: number } {
  const imgPath = findIdxFile(dir, split, 'images');
  const lblPath = findIdxFile(dir, split, 'labels');
  const img = readIdx(imgPath);
  const lbl = readIdx(lblPath);
  const n = img.shape[0];
  if (lbl.shape.length !== 1) throw invalid(`${lblPath}: labels must be 1-D, got shape ${lbl.shape.join('x')}`, { source: lblPath });
  if (lbl.shape[0] !== n) {
    throw invalid(`${lblPath}: count mismatch: ${lbl.shape[0]} labels for ${n} images in ${imgPath}`, { source: lblPath });
  }
  const dim = n === 0 ? 0 : img.data.length / n;
  const inputs = new Float32Array(img.data.length);
  const scale = img.data instanceof Uint8Array ? 1 / 255 : 1;
  for (let i = 0; i < inputs.length; i++) inputs[i] = img.data[i] * scale;
  return { inputs, labels: Float64Array.from(lbl.data), n, dim };
}
