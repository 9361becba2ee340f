import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { bufferSource, crc32, ZipReader } from './zip-reader';

/**
 * One stored member with every size and offset saturated to 0xffffffff and the real values in a
 * ZIP64 extra field, plus the ZIP64 end record and locator: what torch writes for files over 4 GiB.
 */
function zip64(name: string, data: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const parts: number[] = [];
  const u16 = (x: number) => parts.push(x & 0xff, (x >> 8) & 0xff);
  const u32 = (x: number) => (u16(x & 0xffff), u16(x >>> 16));
  const u64 = (x: number) => (u32(x), u32(0));
  const bytes = (b: Uint8Array) => parts.push(...b);
  u32(0x04034b50);
  u16(45);
  u16(0);
  u16(0);
  u32(0);
  u32(crc32(data));
  u32(data.length);
  u32(data.length);
  u16(nameBytes.length);
  u16(0);
  bytes(nameBytes);
  bytes(data);
  const cdAt = parts.length;
  u32(0x02014b50);
  u16(45);
  u16(45);
  u16(0);
  u16(0);
  u32(0);
  u32(crc32(data));
  u32(0xffffffff);
  u32(0xffffffff);
  u16(nameBytes.length);
  u16(28);
  u16(0);
  u16(0);
  u16(0);
  u32(0);
  u32(0xffffffff);
  bytes(nameBytes);
  u16(1);
  u16(24);
  u64(data.length);
  u64(data.length);
  u64(0); // extra: size, compressed size, local offset
  const cdSize = parts.length - cdAt;
  const z64At = parts.length;
  u32(0x06064b50);
  u64(44);
  u16(45);
  u16(45);
  u32(0);
  u32(0);
  u64(1);
  u64(1);
  u64(cdSize);
  u64(cdAt);
  u32(0x07064b50);
  u32(0);
  u64(z64At);
  u32(1);
  u32(0x06054b50);
  u16(0);
  u16(0);
  u16(0xffff);
  u16(0xffff);
  u32(0xffffffff);
  u32(0xffffffff);
  u16(0);
  return Uint8Array.from(parts);
}

describe('ZipReader', () => {
  it('reads ZIP64 records', async () => {
    const data = new TextEncoder().encode('plateau'.repeat(10));
    const zip = await ZipReader.open(bufferSource(zip64('a/data/0', data)), 'big.pt');
    expect(zip.entries.get('a/data/0')).toMatchObject({ size: 70, compressedSize: 70, localOffset: 0 });
    expect(await zip.read('a/data/0')).toEqual(data);
  });

  it('reads deflated members', async () => {
    const text = 'x'.repeat(500);
    const zip = await ZipReader.open(bufferSource(zipSync({ 't.txt': new TextEncoder().encode(text) }, { level: 9 })), 'd.zip');
    expect(zip.entries.get('t.txt')?.method).toBe(8);
    expect(new TextDecoder().decode(await zip.read('t.txt'))).toBe(text);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('turns garbage and truncation into PlateauErrors naming the source', async () => {
    const whole = zip64('m', new Uint8Array(10));
    for (const [bytes, pattern] of [
      [new Uint8Array(100), /no end-of-central-directory record/],
      [whole.subarray(30), /ZIP64 end record missing; the zip archive is truncated or corrupted/],
    ] as const) {
      const err = await ZipReader.open(bufferSource(bytes), 'cut.zip').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlateauError);
      expect((err as Error).message).toMatch(/^cut\.zip: /);
      expect((err as Error).message).toMatch(pattern);
    }
  });

  it('refuses a member claiming a huge uncompressed size before allocating it', async () => {
    const zip = zipSync({ 'a.npy': new Uint8Array(4000) }, { level: 9 });
    const cd = findSig(zip, 0x02014b50);
    new DataView(zip.buffer).setUint32(cd + 24, 0xfffffff0, true); // central directory: uncompressed size
    const err = await ZipReader.open(bufferSource(zip), 'bomb.npz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(
      /^bomb\.npz: member 'a\.npy' claims 4294967280 bytes uncompressed from \d+ compressed, more than deflate can produce/,
    );
    const stored = zipSync({ 'b.npy': new Uint8Array(10) }, { level: 0 });
    new DataView(stored.buffer).setUint32(findSig(stored, 0x02014b50) + 24, 1e9, true);
    await expect(ZipReader.open(bufferSource(stored), 'x.zip')).rejects.toThrow(
      /member 'b\.npy' is stored uncompressed but claims 1000000000 bytes from 10/,
    );
  });
});

function findSig(bytes: Uint8Array, sig: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i++) if (v.getUint32(i, true) === sig) return i;
  throw new Error('signature not found');
}
