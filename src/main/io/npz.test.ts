import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { encodeNpy } from './npy';
import { parseNpz, readNpz } from './npz';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/metrics');

const hasNumpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function expectReadError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(/^d\.npz/);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a PlateauError');
}

describe('parseNpz', () => {
  const a = new Float32Array([1, 2, 3, 4, 5, 6]);
  const b = new Int32Array([7, -8]);

  for (const level of [0, 6] as const) {
    it(`round-trips ${level === 0 ? 'stored' : 'deflated'} members`, () => {
      const zip = zipSync({ 'a.npy': encodeNpy([2, 3], a), 'b.npy': encodeNpy([2], b) }, { level });
      const arrays = parseNpz(zip, 'd.npz');
      expect([...arrays.keys()].sort()).toEqual(['a', 'b']);
      expect(arrays.get('a')!.shape).toEqual([2, 3]);
      expect(Array.from(arrays.get('a')!.data)).toEqual(Array.from(a));
      expect(Array.from(arrays.get('b')!.data)).toEqual([7, -8]);
    });
  }

  it('reads a NumPy-written fixture (zip64 local headers)', async () => {
    const arrays = await readNpz(join(FIXTURES, 'mixture_c10.npz'));
    expect(arrays.get('features')!.shape).toEqual([3000, 48]);
    expect(arrays.get('labels')!.dtype).toBe('i8');
  });

  it.skipIf(!hasNumpy)('reads what NumPy writes: compressed, Fortran order, big endian, f2, bool, u8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-npz-'));
    try {
      const file = join(dir, 'x.npz');
      const script = [
        'import numpy as np, sys',
        'a = np.arange(24, dtype=np.float64).reshape(2, 3, 4)',
        "np.savez_compressed(sys.argv[1], fort=np.asfortranarray(a), be=a.astype('>f4'), half=a.astype(np.float16),",
        "  flag=(a > 5), big=a.astype(np.uint64), i2=a.astype('>i2'))",
      ].join('\n');
      execFileSync('/usr/bin/python3', ['-c', script, file]);
      const arrays = parseNpz(new Uint8Array(readFileSync(file)), file);
      const want = Array.from({ length: 24 }, (_, k) => k);
      for (const name of ['fort', 'be', 'half', 'big', 'i2']) {
        expect(arrays.get(name)!.shape, name).toEqual([2, 3, 4]);
        expect(Array.from(arrays.get(name)!.data), name).toEqual(want);
      }
      expect(Array.from(arrays.get('flag')!.data)).toEqual(want.map((k) => (k > 5 ? 1 : 0)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseNpz on corrupted input', () => {
  const zip = zipSync({ 'a.npy': encodeNpy([3], new Float64Array([1, 2, 3])) }, { level: 6 });
  it('not a zip', () =>
    expectReadError(() => parseNpz(new TextEncoder().encode('definitely not a zip file'), 'd.npz'), /cannot read \.npz \(zip\) archive/));
  it('empty file', () => expectReadError(() => parseNpz(new Uint8Array(0), 'd.npz'), /cannot read/));
  it('truncated zip', () => expectReadError(() => parseNpz(zip.slice(0, zip.length - 10), 'd.npz'), /cannot read/));
  it('corrupted deflate stream', () => {
    const bad = zip.slice();
    for (let i = 40; i < 60; i++) bad[i] ^= 0xff;
    expectReadError(() => parseNpz(bad, 'd.npz'), /cannot read|d\.npz:a\.npy/);
  });
  it('a member that is not .npy', () =>
    expectReadError(() => parseNpz(zipSync({ 'x.txt': new Uint8Array(3) }), 'd.npz'), /member 'x\.txt' is not a \.npy/));
  it('no arrays', () => expectReadError(() => parseNpz(zipSync({}), 'd.npz'), /no arrays/));
  it('a corrupted member names the member', () => {
    const bad = zipSync({ 'w.npy': encodeNpy([3], new Float64Array(3)).slice(0, 70) }, { level: 0 });
    expectReadError(() => parseNpz(bad, 'd.npz'), /^d\.npz:w\.npy: truncated/);
  });
  it('a missing file is NotFound', async () => {
    await expect(readNpz('/nonexistent/d.npz')).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/no such file/) });
  });
});
