import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCheckpointWriter, readCheckpoint, writeCheckpoint } from './checkpoint-file';
import { tempWriter } from './temp-files';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoint files', () => {
  it('round-trips weights, optimizer buffers, step, epoch and config, with size and sha256 of the bytes on disk', async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-ckpt-'));
    const file = join(dir, 'step-10.safetensors');
    const content = {
      step: 10,
      epoch: 2,
      weights: { 'out.weight': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) } },
      optimizer: {
        kind: 'adamw',
        step: 10,
        slots: { 'out.weight.exp_avg': { shape: [2, 3], data: Float32Array.from([0.1, 0, 0, 0, 0, -0.1]) } },
      },
      config: { epochs: 5 },
    };
    const { bytes, sha256 } = writeCheckpoint(file, content);
    const disk = readFileSync(file);
    expect(bytes).toBe(disk.byteLength);
    expect(sha256).toBe(createHash('sha256').update(disk).digest('hex'));
    expect(await readCheckpoint(file)).toEqual(content);
    expect(readdirSync(dir)).toEqual(['step-10.safetensors']); // no temp file left behind
  });

  it("writes under a temp name that start-up cleaning knows as this process's", async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-ckpt-'));
    const w = openCheckpointWriter(join(dir, 'step-1.safetensors'), { step: 1, epoch: 0 }, [{ name: 'w', shape: [1] }]);
    const [tmp] = readdirSync(dir);
    expect(tmp).toMatch(/^step-1\.safetensors\.plateau-tmp-\d+-[0-9a-f]{8}$/);
    expect(tempWriter(tmp)).toBe(process.pid);
    expect(tempWriter('step-1.safetensors.tmp-123')).toBeNull();
    w.write('w', new Float32Array([1]));
    await w.finish();
    expect(readdirSync(dir)).toEqual(['step-1.safetensors']);
  });

  it('fails with a plain message and leaves nothing behind when the folder cannot be written', () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-ckpt-'));
    const file = join(dir, 'missing-folder', 'step-1.safetensors');
    expect(() => writeCheckpoint(file, { step: 1, epoch: 1, weights: {} })).toThrow(
      /Could not write checkpoint .*step-1.safetensors: .*Earlier checkpoints are intact/,
    );
    expect(existsSync(file)).toBe(false);
  });
});

describe('streamed checkpoint files', () => {
  const weights = {
    'a.weight': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    'a.bias': { shape: [2], data: Float32Array.from([-1, NaN]) },
  };

  it('writes the same bytes and sha256 as writeCheckpoint, one tensor at a time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-ckpt-'));
    const whole = writeCheckpoint(join(dir, 'whole.safetensors'), { step: 7, epoch: 0, weights });
    // writeCheckpoint lays tensors out in insertion order (all float32), so the stream follows it.
    const w = openCheckpointWriter(
      join(dir, 'stream.safetensors'),
      { step: 7, epoch: 0 },
      Object.entries(weights).map(([name, t]) => ({ name, shape: t.shape })),
    );
    for (const [name, t] of Object.entries(weights)) w.write(name, t.data);
    expect(await w.finish()).toEqual(whole);
    expect(readFileSync(join(dir, 'stream.safetensors'))).toEqual(readFileSync(join(dir, 'whole.safetensors')));
  });

  it('refuses tensors out of order or missing, and abort leaves nothing behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-ckpt-'));
    const file = join(dir, 'step-1.safetensors');
    const w = openCheckpointWriter(file, { step: 1, epoch: 0 }, [
      { name: 'x', shape: [2] },
      { name: 'y', shape: [1] },
    ]);
    expect(() => w.write('y', new Float32Array(1))).toThrow(/expected tensor 'x' of 8 bytes, got 'y' of 4/);
    w.write('x', new Float32Array(2));
    await expect(w.finish()).rejects.toThrow(/1 tensor\(s\) never written/);
    w.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('hashes a big checkpoint on its own thread: the sha256 of the bytes on disk, chunks shared or copied, in order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-ckpt-'));
    const file = join(dir, 'big.safetensors');
    const n = 18 * 2 ** 20; // 72 MiB of float32: past the size that takes the hash thread and the flushes
    const w = openCheckpointWriter(file, { step: 3, epoch: 0 }, [
      { name: 'small', shape: [3] },
      { name: 'big', shape: [n] },
    ]);
    w.write('small', Float32Array.from([1, 2, 3]));
    const chunk = 2 * 2 ** 20;
    for (let at = 0, i = 0; at < n; at += chunk, i++) {
      // every other chunk in shared memory, as the safetensors reader hands them; a distinct pattern per chunk
      const data = new Float32Array(i % 2 ? new SharedArrayBuffer(4 * chunk) : new ArrayBuffer(4 * chunk)).fill(i + 0.5);
      await w.writeBytesAsync('big', new Uint8Array(data.buffer));
    }
    const { bytes, sha256 } = await w.finish();
    const disk = readFileSync(file);
    expect(bytes).toBe(disk.length);
    expect(sha256).toBe(createHash('sha256').update(disk).digest('hex'));
  });
});
