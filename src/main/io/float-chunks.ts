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

/**
 * Widens little-endian `bytes` of `dtype` into `out` from element `at`. The chunk must hold whole
 * elements; on a little-endian host with an aligned chunk this is a typed-array view, else a DataView.
 */
export function widenInto(bytes: Uint8Array, dtype: string, out: Float32Array, at: number): number {
  const width = CHUNKED_WIDTH[dtype];
  if (!width || bytes.length % width) throw invalid(`widenInto: ${bytes.length} bytes are not whole ${dtype} elements`);
  const n = bytes.length / width;
  if (at + n > out.length) throw invalid(`widenInto: ${n} elements at ${at} overrun an array of ${out.length}`);
  const aligned = LE && bytes.byteOffset % width === 0;
  if (dtype === 'f4') {
    out.set(new Float32Array(aligned ? bytes.buffer : bytes.slice().buffer, aligned ? bytes.byteOffset : 0, n), at);
  } else if (dtype === 'f8') {
    const src = new Float64Array(aligned ? bytes.buffer : bytes.slice().buffer, aligned ? bytes.byteOffset : 0, n);
    for (let i = 0; i < n; i++) out[at + i] = src[i];
  } else {
    const src = new Uint16Array(aligned ? bytes.buffer : bytes.slice().buffer, aligned ? bytes.byteOffset : 0, n);
    if (!LE) for (let i = 0; i < n; i++) src[i] = (src[i] >>> 8) | ((src[i] & 0xff) << 8);
    if (dtype === 'bf16') {
      // bf16 is the top half of a float32: shifting the bits up is the exact widening.
      const bits = new Uint32Array(out.buffer, out.byteOffset + 4 * at, n);
      for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
    } else {
      const t = halves();
      for (let i = 0; i < n; i++) out[at + i] = t[src[i]];
    }
  }
  return n;
}

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
