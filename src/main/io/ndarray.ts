import { invalid, PlateauError } from '../../shared/api/errors';

/** Element storage after decoding: 64-bit integers become Float64Array (checked to be exact). */
export type NumericArray = Float64Array | Float32Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** A decoded array, always row-major (C order), in native byte order. */
export interface NdArray {
  shape: number[];
  /** Source element type in NumPy spelling: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 (bf16 for BF16). */
  dtype: string;
  data: NumericArray;
}

/**
 * A lookup table for names read from files: no prototype, so 'constructor' or '__proto__' (a fuzzed
 * dtype) finds nothing instead of Object's own members.
 */
export function nameTable<T>(entries: Record<string, T>): Readonly<Record<string, T | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

export const isFloatDtype = (dtype: string) => dtype.startsWith('f') || dtype === 'bf16';

/** How many NaN or infinite values an array holds (integer arrays never do). */
export function countNonFinite(data: NumericArray): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return 0;
  let n = 0;
  // x - x is NaN exactly for NaN and +-Infinity: one subtraction instead of a Number.isFinite call.
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] !== 0) n++;
  return n;
}
export const isIntDtype = (dtype: string) => dtype.startsWith('i') || dtype.startsWith('u');

/** Product of a shape; throws on a shape that is not a list of non-negative safe integers. */
export function elementCount(shape: readonly number[], where: string): number {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw invalid(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    count *= d;
  }
  if (!Number.isSafeInteger(count)) throw invalid(`${where}: shape ${JSON.stringify(shape)} is too large`);
  return count;
}

/** Decodes an IEEE half float from its 16 bits. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const INT_WIDTH = nameTable({ i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1 });
const FLOAT_WIDTH = nameTable({ f2: 2, f4: 4, f8: 8, bf16: 2 });

/** Bytes per element of a dtype, or undefined if unsupported. */
export function dtypeWidth(dtype: string): number | undefined {
  return INT_WIDTH[dtype] ?? FLOAT_WIDTH[dtype];
}

type NativeCtor = { new (buffer: ArrayBuffer): NumericArray; BYTES_PER_ELEMENT: number };
const NATIVE = nameTable<NativeCtor>({
  f8: Float64Array,
  f4: Float32Array,
  i2: Int16Array,
  i4: Int32Array,
  u2: Uint16Array,
  u4: Uint32Array,
});

/**
 * Decodes `count` elements of `dtype` from `bytes` (any alignment, either byte order) into a fresh
 * native array. f2/bf16 widen to Float32Array; i8/u8 become Float64Array and must be exact.
 */
/** The first `n` bytes in a buffer of their own (a Node Buffer's slice is a view into the whole file). */
function copyOf(bytes: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  out.set(bytes.subarray(0, n));
  return out;
}

export function decodeElements(bytes: Uint8Array, dtype: string, count: number, littleEndian: boolean, where: string): NumericArray {
  const native = NATIVE[dtype];
  // Little-endian data of a native type: one copy (which also aligns it) instead of a decode loop.
  if (native && littleEndian) return new native(copyOf(bytes, count * native.BYTES_PER_ELEMENT).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case 'f8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, le);
      return out;
    }
    case 'f4': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, le);
      return out;
    }
    case 'f2': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, le));
      return out;
    }
    case 'bf16': {
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, le) << 16;
      return out;
    }
    case 'i1':
      return new Int8Array(copyOf(bytes, count).buffer);
    case 'u1':
    case 'b1':
      return copyOf(bytes, count);
    case 'i2': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, le);
      return out;
    }
    case 'u2': {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, le);
      return out;
    }
    case 'i4': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, le);
      return out;
    }
    case 'u4': {
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, le);
      return out;
    }
    case 'i8':
    case 'u8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = dtype === 'i8' ? view.getBigInt64(i * 8, le) : view.getBigUint64(i * 8, le);
        const x = Number(v);
        if (!Number.isSafeInteger(x)) throw invalid(`${where}: 64-bit integer ${v} at element ${i} does not fit in a double exactly`);
        out[i] = x;
      }
      return out;
    }
    default:
      throw invalid(`${where}: unsupported element type '${dtype}'`);
  }
}

/** Reorders a Fortran-order (column-major) buffer into C order for the given shape. */
export function fortranToC<T extends NumericArray>(data: T, shape: readonly number[]): T {
  if (shape.length < 2) return data;
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  // Walk C order, computing the Fortran offset incrementally from column-major strides.
  const fStride = new Array<number>(rank);
  fStride[0] = 1;
  for (let k = 1; k < rank; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  let fOff = 0;
  for (let i = 0; i < data.length; i++) {
    out[i] = data[fOff];
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      fOff += fStride[k];
      if (idx[k] < shape[k]) break;
      fOff -= fStride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Wraps any failure while decoding `source` into one PlateauError naming the file. */
export function asReadError(source: string, what: string, err: unknown): PlateauError {
  if (err instanceof PlateauError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return invalid(`${source}: cannot read ${what} (${reason}); the file is corrupted or not a ${what}`, { source });
}
