import { describe, expect, it } from 'vitest';
import { chunkSums } from './float-chunks';

/** Half floats decoded by the IEEE formula through DataView bits, independent of the reader's tables. */
const bf16Value = (h: number) => {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, h << 16);
  return v.getFloat32(0);
};
const f16Value = (h: number) => {
  const [s, e, f] = [h >> 15 ? -1 : 1, (h >> 10) & 31, h & 1023];
  if (e === 31) return f ? NaN : s * Infinity;
  return e ? s * 2 ** (e - 15) * (1 + f / 1024) : s * 2 ** -14 * (f / 1024);
};

function randomHalves(n: number, seed: number): Uint16Array {
  const out = new Uint16Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 16;
  }
  return out;
}

describe('chunkSums', () => {
  it('sums the squares and squared distances of bf16 and f16 chunks as their decoded values do, and counts NaN/Inf', () => {
    for (const [dtype, value, bad] of [
      ['bf16', bf16Value, 0x7f80],
      ['f2', f16Value, 0x7c00],
    ] as const) {
      // finite values only first: clear the exponent's top bit so none is NaN/Inf
      const h = randomHalves(1001, 7).map((v) => v & ~(bad & (bad >> 1)));
      const init = Float32Array.from(h, (_, i) => Math.sin(i));
      for (const n of [1000, 1001]) {
        // an even, aligned chunk (pairs read per 32 bits) and an odd one (one at a time)
        const bytes = new Uint8Array(h.buffer, 0, 2 * n);
        let [fro2, dist2] = [0, 0];
        for (let i = 0; i < n; i++) [fro2, dist2] = [fro2 + value(h[i]) ** 2, dist2 + (value(h[i]) - init[i]) ** 2];
        const got = chunkSums(bytes, dtype, init.subarray(0, n));
        expect(got.n).toBe(n);
        expect(got.nonFinite).toBe(0);
        expect(got.fro2 / fro2).toBeCloseTo(1, 12);
        expect(got.dist2 / dist2).toBeCloseTo(1, 12);
      }
      const withBad = h.slice(0, 10);
      withBad[3] = bad; // +Inf
      withBad[8] = bad | 1; // NaN
      expect(chunkSums(new Uint8Array(withBad.buffer), dtype).nonFinite).toBe(2);
    }
  });

  it('reads float32 chunks as they lie, an unaligned one too', () => {
    const x = Float32Array.from([3, -4, 12, 0.5]);
    const bytes = new Uint8Array(17);
    bytes.set(new Uint8Array(x.buffer), 1);
    const got = chunkSums(bytes.subarray(1), 'f4', Float32Array.from([3, 0, 0, 0]));
    expect(got).toEqual({ n: 4, fro2: 9 + 16 + 144 + 0.25, dist2: 16 + 144 + 0.25, nonFinite: 0 });
    expect(chunkSums(new Uint8Array(Float32Array.from([1, NaN, -Infinity]).buffer), 'f4').nonFinite).toBe(2);
  });

  it('refuses a chunk that is not whole elements or a reference of another length', () => {
    expect(() => chunkSums(new Uint8Array(3), 'bf16')).toThrow(/3 bytes are not whole bf16 elements/);
    expect(() => chunkSums(new Uint8Array(4), 'f2', new Float32Array(3))).toThrow(/3 reference values for a chunk of 2/);
  });
});
