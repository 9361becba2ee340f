// Float tensors converted a chunk at a time: an import widens bf16/f16/f64 into the float32 array the
// metrics need without first holding the whole tensor's source bytes beside it.
import { invalid } from '../../shared/api/errors';
import { endianness } from 'node:os';

/** The dtypes a chunked read converts (NumPy spelling), with their widths in bytes. */
export const CHUNKED_WIDTH: Readonly<Record<string, number>> = { f4: 4, f8: 8, bf16: 2, f2: 2 };

const LE = endianness() === 'LE';
let halfTable: Float32Array | null = null;

/** Every half float's value, so a decode is one lookup per element (256 KiB, built on first use). */
function halves(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    t[h] = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return (halfTable = t);
}

/** `bytes` as a typed array of its elements: a view when aligned on a little-endian host, else a byte-swapped copy. */
function elements<T extends Uint16Array | Float32Array | Float64Array>(
  bytes: Uint8Array,
  Ctor: { new (b: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T {
  const w = Ctor.BYTES_PER_ELEMENT;
  const n = bytes.length / w;
  if (LE && bytes.byteOffset % w === 0) return new Ctor(bytes.buffer, bytes.byteOffset, n);
  const copy = bytes.slice();
  if (!LE) for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse();
  return new Ctor(copy.buffer, 0, n);
}

/** bf16 is the top half of a float32: shifting the bits up is the exact widening. Counts NaN/Inf (exponent all ones) as it goes. */
function widenBf16(src: Uint16Array, bits: Uint32Array): number {
  let bad = 0;
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    bits[i] = h << 16;
    if ((h & 0x7f80) === 0x7f80) bad++;
  }
  return bad;
}

function widenF16(src: Uint16Array, out: Float32Array, at: number): number {
  const t = halves();
  let bad = 0;
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    out[at + i] = t[h];
    if ((h & 0x7c00) === 0x7c00) bad++;
  }
  return bad;
}

function widenF64(src: Float64Array, out: Float32Array, at: number): number {
  let bad = 0;
  for (let i = 0; i < src.length; i++) {
    const x = (out[at + i] = src[i]); // rounds to the nearest float32; beyond its range becomes Inf
    if (x - x !== 0) bad++;
  }
  return bad;
}

function countBad(a: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) bad++;
  return bad;
}

/**
 * Widens little-endian `bytes` of `dtype` into `out` from element `at`; the chunk must hold whole
 * elements. Returns how many elements it wrote and how many of them are NaN or infinite (counted in
 * the same pass: an import touches each element once).
 */
export function widenChunk(bytes: Uint8Array, dtype: string, out: Float32Array, at: number): { n: number; nonFinite: number } {
  const width = CHUNKED_WIDTH[dtype];
  if (!width || bytes.length % width) throw invalid(`widenInto: ${bytes.length} bytes are not whole ${dtype} elements`);
  const n = bytes.length / width;
  if (at + n > out.length) throw invalid(`widenInto: ${n} elements at ${at} overrun an array of ${out.length}`);
  if (dtype === 'f4') {
    const dst = out.subarray(at, at + n);
    dst.set(elements(bytes, Float32Array));
    return { n, nonFinite: countBad(dst) };
  }
  if (dtype === 'f8') return { n, nonFinite: widenF64(elements(bytes, Float64Array), out, at) };
  const src = elements(bytes, Uint16Array);
  if (dtype === 'bf16') return { n, nonFinite: widenBf16(src, new Uint32Array(out.buffer, out.byteOffset + 4 * at, n)) };
  return { n, nonFinite: widenF16(src, out, at) };
}

/** Each bf16 value and its square (float64, exact: 8 significant bits squared fit), built on first use. */
let bf16Table: { value: Float32Array; square: Float64Array } | null = null;
let f16Squares: Float64Array | null = null;

function tables(dtype: 'bf16' | 'f2'): { value: Float32Array; square: Float64Array } {
  if (dtype === 'f2') {
    const value = halves();
    f16Squares ??= Float64Array.from(value, (v) => v * v);
    return { value, square: f16Squares };
  }
  if (!bf16Table) {
    const value = new Float32Array(65536);
    const bits = new Uint32Array(value.buffer);
    for (let h = 0; h < 65536; h++) bits[h] = h << 16;
    bf16Table = { value, square: Float64Array.from(value, (v) => v * v) };
  }
  return bf16Table;
}

/** Sums of one chunk of a tensor: squares, squared distances from the reference's elements, and NaN/Inf. */
export interface ChunkSums {
  n: number;
  fro2: number;
  dist2: number;
  nonFinite: number;
}

/**
 * The squares of a chunk's values summed in float64 (and, with `init`, of their differences from it),
 * read straight from little-endian `bytes` of bf16, f16 or f32: no float32 copy is made, a half is one
 * table lookup. NaN/Inf make the sum non-finite (squares of finite values cannot overflow float64), and
 * only then are they counted; their sums are then meaningless and the caller measures nothing.
 */
export function chunkSums(bytes: Uint8Array, dtype: string, init?: Float32Array | null): ChunkSums {
  const width = CHUNKED_WIDTH[dtype];
  if (!width || width === 8 || bytes.length % width) throw invalid(`chunkSums: ${bytes.length} bytes are not whole ${dtype} elements`);
  const n = bytes.length / width;
  if (init && init.length !== n) throw invalid(`chunkSums: ${init.length} reference values for a chunk of ${n}`);
  let [fro2, dist2] = [0, 0];
  if (dtype === 'f4') {
    const x = elements(bytes, Float32Array);
    for (let i = 0; i < n; i++) fro2 += x[i] * x[i];
    if (init) for (let i = 0; i < n; i++) dist2 += (x[i] - init[i]) ** 2;
    return { n, fro2, dist2, nonFinite: Number.isFinite(fro2) ? 0 : countBad(x) };
  }
  const { value, square } = tables(dtype as 'bf16' | 'f2');
  const src = elements(bytes, Uint16Array);
  if (src.byteOffset % 4 === 0 && n % 2 === 0) {
    // two halves per 32-bit load (about twice as fast as one lookup per 16-bit load); a sum needs no order
    const pairs = new Uint32Array(src.buffer, src.byteOffset, n / 2);
    let [lo, hi] = [0, 0]; // two sums, so neither addition waits on the other
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i];
      lo += square[p & 0xffff];
      hi += square[p >>> 16];
    }
    fro2 = lo + hi;
  } else for (let i = 0; i < n; i++) fro2 += square[src[i]];
  if (init) for (let i = 0; i < n; i++) dist2 += (value[src[i]] - init[i]) ** 2;
  let nonFinite = 0;
  if (!Number.isFinite(fro2)) for (let i = 0; i < n; i++) if (value[src[i]] - value[src[i]] !== 0) nonFinite++;
  return { n, fro2, dist2, nonFinite };
}

/** widenChunk without the count: the number of elements written. */
export const widenInto = (bytes: Uint8Array, dtype: string, out: Float32Array, at: number): number => widenChunk(bytes, dtype, out, at).n;

/** A float32 value known to be a half (read from one) back to its 16 bits: exact for every half, NaN kept. */
export function floatToHalfBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00;
  if (e > 0) return sign | (e << 10) | (mant >>> 13);
  if (exp < 103) return sign; // below half's smallest subnormal (2^-24)
  return sign | ((mant | 0x800000) >>> (126 - exp));
}

/** Float32 values that came from `dtype` ('bf16' or 'f2') as that dtype's little-endian bytes again. */
export function narrowTo(data: Float32Array, dtype: 'bf16' | 'f2'): Uint8Array {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint8Array(2 * data.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setUint16(2 * i, dtype === 'bf16' ? bits[i] >>> 16 : floatToHalfBits(bits[i]), true);
  return out;
}
