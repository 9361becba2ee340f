import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { encodeNpy, parseNpy } from './npy';

/** Builds a .npy file by hand: any version, any header text, raw data bytes. */
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  const h = new TextEncoder().encode(header + '\n');
  const out = new Uint8Array(8 + lenBytes + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  out.set(h, 8 + lenBytes);
  out.set(data, 8 + lenBytes + h.length);
  return out;
}

const bytesOf = (fill: (v: DataView) => void, n: number) => {
  const b = new Uint8Array(n);
  fill(new DataView(b.buffer));
  return b;
};

function expectReadError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(/^x\.npy: /);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a PlateauError');
}

describe('parseNpy', () => {
  it('round-trips encodeNpy for every writable type', () => {
    const arrays = [
      new Float64Array([1.5, -2, 3e300]),
      new Float32Array([1, 2, 3, 4, 5, 6]),
      new Int8Array([-1, 2]),
      new Int16Array([-300, 5]),
      new Int32Array([-70000, 1, 2, 3]),
      new Uint8Array([255]),
      new Uint16Array([65535, 0]),
      new Uint32Array([4e9]),
    ];
    for (const data of arrays) {
      const shape = data.length === 6 ? [2, 3] : [data.length];
      const back = parseNpy(encodeNpy(shape, data), 'x.npy');
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('reads version 2 and 3 headers, scalars and empty arrays', () => {
    const data = bytesOf((v) => v.setFloat64(0, 2.25, true), 8);
    expect(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data, 2), 'x.npy').data[0]).toBe(2.25);
    expect(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data, 3), 'x.npy').shape).toEqual([]);
    expect(parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", new Uint8Array(0)), 'x.npy').data.length).toBe(0);
  });

  it('reads big-endian floats and ints', () => {
    const f = bytesOf((v) => {
      v.setFloat64(0, -1.25, false);
      v.setFloat64(8, 7, false);
    }, 16);
    expect(Array.from(parseNpy(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", f), 'x.npy').data)).toEqual([-1.25, 7]);
    const i = bytesOf((v) => v.setInt32(0, -123456, false), 4);
    expect(parseNpy(npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", i), 'x.npy').data[0]).toBe(-123456);
    const l = bytesOf((v) => v.setBigInt64(0, -5n, false), 8);
    expect(parseNpy(npy("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", l), 'x.npy').data[0]).toBe(-5);
  });

  it('reads float16, int64, uint64 and bool', () => {
    const h = bytesOf((v) => {
      v.setUint16(0, 0x3c00, true);
      v.setUint16(2, 0xc000, true);
      v.setUint16(4, 0x0001, true);
    }, 6);
    const half = parseNpy(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", h), 'x.npy');
    expect(Array.from(half.data)).toEqual([1, -2, 2 ** -24]);
    const i8 = bytesOf((v) => {
      v.setBigInt64(0, 9n, true);
      v.setBigUint64(8, 2n ** 52n, true);
    }, 16);
    expect(Array.from(parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i8), 'x.npy').data)).toEqual([9, 2 ** 52]);
    expect(parseNpy(npy("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", i8), 'x.npy').dtype).toBe('u8');
    const b = parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([1, 0])), 'x.npy');
    expect([b.dtype, ...b.data]).toEqual(['b1', 1, 0]);
  });

  it('reorders Fortran-order data into C order', () => {
    // Column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6.
    const f = new Float32Array([1, 4, 2, 5, 3, 6]);
    const a = parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(f.buffer)), 'x.npy');
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const g = Float64Array.from({ length: 24 }, (_, k) => k);
    const b = parseNpy(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", new Uint8Array(g.buffer)), 'x.npy');
    // C element [i, j, k] is Fortran offset i + 2 j + 6 k.
    expect(b.data[1 * 12 + 2 * 4 + 3]).toBe(1 + 2 * 2 + 6 * 3);
  });
});

describe('parseNpy on corrupted input: one clear PlateauError naming the file', () => {
  const good = encodeNpy([2, 2], new Float32Array([1, 2, 3, 4]));
  it('not a .npy file', () => expectReadError(() => parseNpy(new TextEncoder().encode('hello world!'), 'x.npy'), /not a \.npy file/));
  it('empty file', () => expectReadError(() => parseNpy(new Uint8Array(0), 'x.npy'), /not a \.npy file/));
  it('unknown version', () => {
    const b = good.slice();
    b[6] = 9;
    expectReadError(() => parseNpy(b, 'x.npy'), /version 9/);
  });
  it('header length beyond the file', () => expectReadError(() => parseNpy(good.slice(0, 40), 'x.npy'), /truncated: header claims/));
  it('truncated data', () =>
    expectReadError(() => parseNpy(good.slice(0, good.length - 3), 'x.npy'), /truncated: shape \[2,2\] of f4 needs 16/));
  it('trailing bytes', () => expectReadError(() => parseNpy(new Uint8Array([...good, 0, 0]), 'x.npy'), /2 unexpected bytes/));
  it('garbage header', () => expectReadError(() => parseNpy(npy('not a dict', new Uint8Array(0)), 'x.npy'), /not a Python dict/));
  it('missing shape', () =>
    expectReadError(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False}", new Uint8Array(0)), 'x.npy'), /lacks/));
  it('bad shape entry', () =>
    expectReadError(
      () => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", new Uint8Array(0)), 'x.npy'),
      /not a non-negative integer/,
    ));
  it('unsupported dtype', () =>
    expectReadError(
      () => parseNpy(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), 'x.npy'),
      /unsupported dtype '\|O'/,
    ));
  it('structured dtype', () =>
    expectReadError(
      () => parseNpy(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), 'x.npy'),
      /structured/,
    ));
  it('an int64 too large for a double', () => {
    const b = bytesOf((v) => v.setBigInt64(0, 2n ** 60n + 1n, true), 8);
    expectReadError(() => parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", b), 'x.npy'), /does not fit/);
  });
  it('an absurd shape', () =>
    expectReadError(
      () => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", new Uint8Array(0)), 'x.npy'),
      /too large|truncated/,
    ));
});

describe('encodeNpy', () => {
  it('aligns the data to 64 bytes and rejects a shape mismatch', () => {
    const b = encodeNpy([3], new Float64Array(3));
    expect((b.length - 24) % 64).toBe(0);
    expect(() => encodeNpy([4], new Float64Array(3))).toThrow(/holds 4 elements/);
  });
});
