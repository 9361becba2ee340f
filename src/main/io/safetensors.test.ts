import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { parseNpz } from './npz';
import { encodeSafetensors, MAX_SAFETENSORS_HEADER, parseSafetensors } from './safetensors';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/metrics');

/** A .safetensors file from a header object and raw data bytes, for hand-made (and broken) cases. */
function build(header: unknown, data: Uint8Array, headerLen?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectReadError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(/^m\.safetensors: /);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a PlateauError');
}

describe('safetensors', () => {
  it('round-trips F32, F64 and I32 with metadata, data 8-byte aligned', () => {
    const bytes = encodeSafetensors(
      {
        w: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
        b: { shape: [3], data: new Float64Array([0.1, 0.2, 0.3]) },
        y: { shape: [1], data: new Int32Array([-9]) },
      },
      { format: 'pt', note: 'x' },
    );
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const st = parseSafetensors(bytes, 'm.safetensors');
    expect(st.metadata).toEqual({ format: 'pt', note: 'x' });
    expect(Array.from(st.tensors.get('w')!.data)).toEqual([1, 2, 3, 4]);
    expect(st.tensors.get('w')!.shape).toEqual([2, 2]);
    expect(st.tensors.get('b')!.data).toEqual(new Float64Array([0.1, 0.2, 0.3]));
    expect(Array.from(st.tensors.get('y')!.data)).toEqual([-9]);
  });

  it('converts F16, BF16, I64, U8 and BOOL on read', () => {
    const data = new Uint8Array(2 + 2 + 8 + 1 + 1);
    const v = new DataView(data.buffer);
    v.setUint16(0, 0x3e00, true); // f16 1.5
    v.setUint16(2, 0xc040, true); // bf16 -3
    v.setBigInt64(4, -42n, true);
    v.setUint8(12, 200);
    v.setUint8(13, 1);
    const st = parseSafetensors(
      build(
        {
          h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
          bf: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
          l: { dtype: 'I64', shape: [], data_offsets: [4, 12] },
          u: { dtype: 'U8', shape: [1], data_offsets: [12, 13] },
          f: { dtype: 'BOOL', shape: [1], data_offsets: [13, 14] },
        },
        data,
      ),
      'm.safetensors',
    );
    expect(['h', 'bf', 'l', 'u', 'f'].map((k) => st.tensors.get(k)!.data[0])).toEqual([1.5, -3, -42, 200, 1]);
  });

  it('the fixture holds the same arrays as its .npz twin', () => {
    const st = parseSafetensors(new Uint8Array(readFileSync(resolve(FIXTURES, 'mixture_c10.safetensors'))), 'mixture_c10.safetensors');
    const npz = parseNpz(new Uint8Array(readFileSync(resolve(FIXTURES, 'mixture_c10.npz'))), 'mixture_c10.npz');
    for (const [name, a] of npz) {
      const b = st.tensors.get(name)!;
      expect(b.shape, name).toEqual(a.shape);
      expect(Array.from(b.data), name).toEqual(Array.from(a.data));
    }
  });

  it("writes and reads tensors named like an object's own members", () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    const bytes = encodeSafetensors(Object.fromEntries(names.map((n, i) => [n, { shape: [1], data: new Float32Array([i]) }])));
    const st = parseSafetensors(bytes, 'm.safetensors');
    expect(names.map((n) => st.tensors.get(n)?.data[0])).toEqual([0, 1, 2, 3]);
  });

  it("keeps a metadata key '__proto__' as data", () => {
    const st = parseSafetensors(build({ __metadata__: JSON.parse('{"__proto__": "x", "step": "3"}') }, new Uint8Array(0)), 'm.safetensors');
    expect(Object.entries(st.metadata)).toEqual([
      ['__proto__', 'x'],
      ['step', '3'],
    ]);
  });

  it('rejects a bad tensor to write', () => {
    expect(() => encodeSafetensors({ w: { shape: [3], data: new Float32Array(2) } })).toThrow(/shape \[3\]/);
    expect(() => encodeSafetensors({ w: { shape: [1], data: new Uint8Array(1) as unknown as Int32Array } })).toThrow(
      /unsupported type Uint8Array/,
    );
  });
});

describe('safetensors corruption: one clear PlateauError naming the file', () => {
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  it('shorter than 8 bytes', () => expectReadError(() => parseSafetensors(new Uint8Array(5), 'm.safetensors'), /too short/));
  it('header length above the cap', () =>
    expectReadError(() => parseSafetensors(build(ok, new Uint8Array(8), BigInt(MAX_SAFETENSORS_HEADER) + 1n), 'm.safetensors'), /exceeds/));
  it('header length near 2^64', () =>
    expectReadError(() => parseSafetensors(build(ok, new Uint8Array(8), 2n ** 64n - 1n), 'm.safetensors'), /exceeds/));
  it('header length beyond the file', () =>
    expectReadError(() => parseSafetensors(build(ok, new Uint8Array(8), 5000n), 'm.safetensors'), /truncated: header claims 5000/));
  it('non-JSON header', () =>
    expectReadError(() => parseSafetensors(build('{not json', new Uint8Array(0)), 'm.safetensors'), /not valid UTF-8 JSON/));
  it('header not an object', () =>
    expectReadError(() => parseSafetensors(build([1, 2], new Uint8Array(0)), 'm.safetensors'), /not a JSON object/));
  it('offsets outside the data', () =>
    expectReadError(() => parseSafetensors(build(ok, new Uint8Array(4)), 'm.safetensors'), /\[0, 8\] lie outside the 4-byte data section/));
  it('reversed offsets', () =>
    expectReadError(
      () => parseSafetensors(build({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, new Uint8Array(8)), 'm.safetensors'),
      /lie outside/,
    ));
  it('offsets not matching the shape', () =>
    expectReadError(
      () => parseSafetensors(build({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), 'm.safetensors'),
      /needs 12/,
    ));
  it('malformed offsets', () =>
    expectReadError(
      () => parseSafetensors(build({ t: { dtype: 'F32', shape: [2], data_offsets: [0] } }, new Uint8Array(8)), 'm.safetensors'),
      /data_offsets/,
    ));
  it('a dtype named like an object member', () =>
    expectReadError(
      () => parseSafetensors(build({ t: { dtype: 'constructor', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), 'm.safetensors'),
      /unsupported dtype "constructor"/,
    ));
  it('unsupported dtype', () =>
    expectReadError(
      () => parseSafetensors(build({ t: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), 'm.safetensors'),
      /unsupported dtype "C64"/,
    ));
  it('bad shape', () =>
    expectReadError(
      () => parseSafetensors(build({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, new Uint8Array(8)), 'm.safetensors'),
      /non-negative integers/,
    ));
  it('bad metadata', () =>
    expectReadError(
      () => parseSafetensors(build({ __metadata__: { a: 1 } }, new Uint8Array(0)), 'm.safetensors'),
      /__metadata__\.a' is not a string/,
    ));
  const two = (a: number[], b: number[]) => ({
    a: { dtype: 'F32', shape: [(a[1] - a[0]) / 4], data_offsets: a },
    b: { dtype: 'F32', shape: [(b[1] - b[0]) / 4], data_offsets: b },
  });
  it('a gap between tensors', () =>
    expectReadError(
      () => parseSafetensors(build(two([0, 8], [12, 20]), new Uint8Array(20)), 'm.safetensors'),
      /tensor 'a' ends at byte 8 but tensor 'b' starts at 12: 4 bytes belong to no tensor/,
    ));
  it('a gap before the first tensor', () =>
    expectReadError(
      () => parseSafetensors(build(two([4, 8], [8, 16]), new Uint8Array(16)), 'm.safetensors'),
      /data section starts at byte 0 but tensor 'a' starts at 4/,
    ));
  it('overlapping tensors', () =>
    expectReadError(
      () => parseSafetensors(build(two([0, 8], [4, 12]), new Uint8Array(12)), 'm.safetensors'),
      /tensor 'b' \[4, 12\) overlaps tensor 'a', which ends at byte 8/,
    ));
  it('two tensors on the same bytes', () =>
    expectReadError(() => parseSafetensors(build(two([0, 8], [0, 8]), new Uint8Array(8)), 'm.safetensors'), /overlaps/));
  it('trailing bytes after the last tensor', () =>
    expectReadError(
      () => parseSafetensors(build(ok, new Uint8Array(9)), 'm.safetensors'),
      /cover 8 bytes of the 9-byte data section: 1 trailing bytes/,
    ));
  it('bytes inserted into the data of a real file', () => {
    const bytes = encodeSafetensors({
      w: { shape: [4], data: new Float32Array([1, 2, 3, 4]) },
      v: { shape: [2], data: new Float32Array([5, 6]) },
    });
    const at = bytes.length - 8; // inside the data section, between w and v or within one of them
    const grown = new Uint8Array(bytes.length + 4);
    grown.set(bytes.subarray(0, at));
    grown.set(bytes.subarray(at), at + 4);
    expectReadError(() => parseSafetensors(grown, 'm.safetensors'), /4 trailing bytes belong to no tensor/);
  });
  it('an empty tensor anywhere is fine', () => {
    const st = parseSafetensors(
      build({ e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] }, ...two([0, 4], [4, 8]) }, new Uint8Array(8)),
      'm.safetensors',
    );
    expect([...st.tensors.keys()].sort()).toEqual(['a', 'b', 'e']);
  });
  it('truncated real file', () => {
    const bytes = new Uint8Array(readFileSync(resolve(FIXTURES, 'mixture_c10.safetensors')));
    expectReadError(() => parseSafetensors(bytes.slice(0, 100_000), 'm.safetensors'), /lie outside/);
    expectReadError(() => parseSafetensors(bytes.slice(0, 300), 'm.safetensors'), /truncated: header claims/);
  });
});
