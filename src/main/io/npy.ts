// Hand-written rather than a dependency: the format is tiny, and we need our own bounds checks so that
// a corrupted file becomes one clear PlateauError (NumPy's own loader raises arbitrary errors).
import { invalid } from '../../shared/api/errors';
import { asReadError, decodeElements, dtypeWidth, elementCount, fortranToC, type NdArray, type NumericArray } from './ndarray';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAX_HEADER = 1 << 20; // real headers are < 1 KiB; anything huge is corruption

/** Parses a whole .npy file. `source` names the file (or npz member) in error messages. */
export function parseNpy(bytes: Uint8Array, source: string): NdArray {
  try {
    return parseNpyUnsafe(bytes, source);
  } catch (err) {
    throw asReadError(source, '.npy array', err);
  }
}

function parseNpyUnsafe(bytes: Uint8Array, source: string): NdArray {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not a .npy file (missing the \\x93NUMPY magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`unsupported .npy format version ${major}.${bytes[7]} (expected 1, 2 or 3)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw fail('truncated: file ends inside the header length');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lenBytes;
  if (headerLen > MAX_HEADER) throw fail(`header length ${headerLen} is implausibly large`);
  if (headerStart + headerLen > bytes.length) {
    throw fail(`truncated: header claims ${headerLen} bytes but only ${bytes.length - headerStart} remain`);
  }
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLen);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortran, shape } = parseHeader(header, fail);
  const { dtype, littleEndian } = parseDescr(descr, fail);
  const width = dtypeWidth(dtype)!;
  const count = elementCount(shape, source);
  const dataStart = headerStart + headerLen;
  const need = count * width;
  const have = bytes.length - dataStart;
  if (have < need) throw fail(`truncated: shape ${JSON.stringify(shape)} of ${dtype} needs ${need} data bytes but only ${have} remain`);
  if (have > need) throw fail(`${have - need} unexpected bytes after the data of shape ${JSON.stringify(shape)}`);
  let data: NumericArray = decodeElements(bytes.subarray(dataStart, dataStart + need), dtype, count, littleEndian, source);
  if (fortran) data = fortranToC(data, shape);
  return { shape, dtype, data };
}

type Fail = (problem: string) => Error;

function parseHeader(header: string, fail: Fail): { descr: string; fortran: boolean; shape: number[] } {
  if (!/^\s*\{[\s\S]*\}\s*$/.test(header)) throw fail('header is not a Python dict literal');
  if (/['"]descr['"]\s*:\s*\[/.test(header)) throw fail('structured (record) dtypes are not supported; save a plain numeric array');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw fail(`header lacks 'descr', 'fortran_order' or 'shape': ${header.trim().slice(0, 120)}`);
  }
  const parts = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw fail(`shape entry '${p}' is not a non-negative integer`);
    return Number(p);
  });
  return { descr, fortran: fortran === 'True', shape };
}

function parseDescr(descr: string, fail: Fail): { dtype: string; littleEndian: boolean } {
  const m = /^([<>|=]?)([fiub?])(\d*)$/.exec(descr);
  if (!m) throw fail(`unsupported dtype '${descr}' (supported: bool, int8-64, uint8-64, float16/32/64)`);
  const [, order, kind, size] = m;
  const dtype = kind === '?' || kind === 'b' ? 'b1' : `${kind}${size}`;
  if (dtypeWidth(dtype) === undefined || dtype === 'bf16') throw fail(`unsupported dtype '${descr}'`);
  return { dtype, littleEndian: order !== '>' };
}

const DESCR_OF: Record<string, string> = {
  Float64Array: '<f8',
  Float32Array: '<f4',
  Int8Array: '|i1',
  Int16Array: '<i2',
  Int32Array: '<i4',
  Uint8Array: '|u1',
  Uint16Array: '<u2',
  Uint32Array: '<u4',
};

/** Encodes a C-order array as a version 1.0 .npy file (little endian), e.g. to hand data to NumPy. */
export function encodeNpy(shape: readonly number[], data: NumericArray): Uint8Array {
  const count = elementCount(shape, 'encodeNpy');
  if (count !== data.length) throw invalid(`encodeNpy: shape ${JSON.stringify(shape)} holds ${count} elements, data has ${data.length}`);
  const descr = DESCR_OF[data.constructor.name];
  if (!descr) throw invalid(`encodeNpy: unsupported array type ${data.constructor.name}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, as NumPy does; the header ends with '\n'.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // Typed arrays are little endian on every platform we run on (x86, ARM).
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
