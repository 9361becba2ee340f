import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { readCheckpoint } from './checkpoint-file';
import { inspectImport, type FileImport } from './import-file';
import { importCheckpoint, initWeights, weightRows } from './import-run';
import { encodeSafetensors } from './safetensors';
import { openSafetensorsFile } from './safetensors-file';

const dir = mkdtempSync(join(tmpdir(), 'plateau-import-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** fc.weight (finite), bad.weight (one NaN, one Inf), an int buffer, and optimizer state. */
function writeNanFile(path: string, scale = 1) {
  writeFileSync(
    path,
    encodeSafetensors({
      'fc.weight': { shape: [2, 2], data: Float32Array.from([3, 0, 0, 4].map((x) => x * scale)) },
      'bad.weight': { shape: [2, 2], data: Float32Array.from([1, NaN, Infinity, 2]) },
      'bn.num_batches_tracked': { shape: [1], data: Int32Array.from([5]) },
      'optimizer.state.0.momentum_buffer': { shape: [2, 2], data: new Float32Array(4) },
    }),
  );
}

describe('importing a file with NaN or Inf', () => {
  it('keeps the tensor in the checkpoint, flags it with its count, and measures only the finite ones', async () => {
    writeNanFile(at('nan.safetensors'));
    const file = (await inspectImport(at('nan.safetensors'))) as FileImport;
    const r = await importCheckpoint(file, 3, at('out.safetensors'));
    expect(r.nonFinite).toEqual([{ step: 3, name: 'bad.weight', count: 2 }]);
    expect(r.dropped.sort()).toEqual(['bn.num_batches_tracked', 'optimizer.state.0.momentum_buffer']);
    expect(new Set(r.rows.map((x) => x.layer))).toEqual(new Set(['fc.weight']));
    expect(r.rows.find((x) => x.key === 'fro_norm')?.value).toBe(5);
    expect(r.rows.find((x) => x.key === 'dist_from_init')?.value).toBe(0);
    const saved = await readCheckpoint(at('out.safetensors'));
    expect(Array.from(saved.weights['bad.weight'].data)).toEqual([1, NaN, Infinity, 2]);
    expect(r.bytes).toBe(readFileSync(at('out.safetensors')).byteLength);
    // Inspection learns the count once the tensor has been loaded.
    expect(file.tensors.find((t) => t.name === 'bad.weight')?.nonFinite).toBe(2);
    expect(file.tensors.find((t) => t.name === 'fc.weight')?.nonFinite).toBeUndefined();
  });

  it('weightRows leaves out a tensor with NaN rather than report NaN metrics', () => {
    const rows = weightRows({ w: { shape: [2, 2], data: Float32Array.from([1, 2, NaN, 4]) } }, 0);
    expect(rows).toEqual([]);
  });

  it('measures distance from the first checkpoint read back from its file', async () => {
    writeNanFile(at('a.safetensors'));
    writeNanFile(at('b.safetensors'), 2);
    const first = await importCheckpoint((await inspectImport(at('a.safetensors'))) as FileImport, 0, at('a-out.safetensors'));
    const init = await initWeights(at('a-out.safetensors'), first.tensors);
    const second = await importCheckpoint((await inspectImport(at('b.safetensors'))) as FileImport, 1, at('b-out.safetensors'), init);
    expect(second.rows.find((x) => x.key === 'dist_from_init')?.value).toBe(5); // ||(3,0,0,4)||
    expect(await init.get('bad.weight', [2, 2])).toBeNull(); // a NaN reference measures nothing
    expect(await init.get('fc.weight', [4])).toBeNull();
  });
});

describe('streaming big tensors', () => {
  it('loads tensors over the batch size one at a time, refilling the same memory, and writes them intact', async () => {
    const shape = [8193, 2048]; // just over the 64 MiB batch: each tensor loads alone
    const n = shape[0] * shape[1];
    const a = new Float32Array(n).map((_, i) => (i % 97) - 48);
    const b = new Float32Array(n).map((_, i) => (i % 89) * 0.5);
    writeFileSync(at('big.safetensors'), encodeSafetensors({ a: { shape, data: a }, b: { shape, data: b } }));
    const file = (await inspectImport(at('big.safetensors'))) as FileImport;
    delete file.readChunks; // as a format that cannot stream chunks (torch, npz) is imported
    const buffers: ArrayBufferLike[] = [];
    const load = file.load;
    file.load = async (names, options) => {
      const out = await load(names, options);
      buffers.push(out[0].data.buffer);
      return out;
    };
    const r = await importCheckpoint(file, 0, at('big-out.safetensors'));
    expect(buffers).toHaveLength(2);
    expect(buffers[1]).toBe(buffers[0]); // the second tensor was read into the first one's memory
    const saved = await openSafetensorsFile(at('big-out.safetensors'));
    // Compared by hand: toEqual on 16M-element arrays is far too slow.
    const same = (x: ArrayLike<number>, y: Float32Array) =>
      x.length === y.length && Buffer.compare(Buffer.from(new Uint8Array((x as Float32Array).buffer)), Buffer.from(y.buffer)) === 0;
    expect(same(await saved.read('a'), a)).toBe(true);
    expect(same(await saved.read('b'), b)).toBe(true);
    expect(r.rows.filter((x) => x.key === 'fro_norm').map((x) => x.layer)).toEqual(['a', 'b']);
  });

  it('streams a big tensor of a lazy format in chunks, never loading it whole', async () => {
    const shape = [1024, 3000];
    const a = new Float32Array(shape[0] * shape[1]).map((_, i) => (i % 101) - 50);
    writeFileSync(at('chunks.safetensors'), encodeSafetensors({ a: { shape, data: a } }));
    const file = (await inspectImport(at('chunks.safetensors'))) as FileImport;
    let chunks = 0;
    const readChunks = file.readChunks!;
    file.readChunks = (name, onChunk) => readChunks(name, (b) => (chunks++, onChunk(b)));
    file.load = () => Promise.reject(new Error('loaded whole'));
    await importCheckpoint(file, 0, at('chunks-out.safetensors'));
    expect(chunks).toBe(2); // 12 MB in 8 MiB chunks
    const back = (await (await openSafetensorsFile(at('chunks-out.safetensors'))).read('a')) as Float32Array;
    expect(Buffer.compare(Buffer.from(back.buffer), Buffer.from(a.buffer))).toBe(0);
  });
});

describe('safetensors read lazily', () => {
  it('reads the header alone at inspection and each tensor by its offset', async () => {
    writeFileSync(
      at('lazy.safetensors'),
      encodeSafetensors({
        big: { shape: [1000], data: new Float32Array(1000).fill(7) },
        f64: { shape: [2], data: Float64Array.from([0.5, -1]) },
        i: { shape: [1], data: Int32Array.from([9]) },
      }),
    );
    const st = await openSafetensorsFile(at('lazy.safetensors'));
    expect(st.entries.map((e) => [e.name, e.dtype, e.shape])).toEqual([
      ['f64', 'f8', [2]],
      ['big', 'f4', [1000]],
      ['i', 'i4', [1]],
    ]);
    expect(Array.from(await st.read('f64'))).toEqual([0.5, -1]);
    expect(await st.read('i')).toEqual(Int32Array.from([9]));
    // Cut the data after inspection: the read says so, naming the file.
    truncateSync(at('lazy.safetensors'), readFileSync(at('lazy.safetensors')).byteLength - 100);
    const err = await st.read('i').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(/lazy\.safetensors: truncated: the file ended at byte \d+ while reading tensor data/);
    await expect(openSafetensorsFile(at('lazy.safetensors'))).rejects.toThrow(
      /lazy\.safetensors: tensor '.*': data_offsets .* lie outside/,
    );
    await expect(st.read('nope')).rejects.toThrow(/no tensor named 'nope'/);
  });
});

describe('importing an empty matrix', () => {
  it('writes it and measures the others (torch saves shape [0, 3] happily; its metrics threw)', async () => {
    const file = (await inspectImport(resolve(__dirname, '../../../test/fixtures/import/dtypes.pt'))) as FileImport;
    const r = await importCheckpoint(file, 0, at('dtypes.safetensors'));
    expect((await readCheckpoint(at('dtypes.safetensors'))).weights.empty.shape).toEqual([0, 3]);
    const layers = new Set(r.rows.map((x) => x.layer));
    expect(layers.has('empty')).toBe(false);
    expect(layers.has('double')).toBe(true); // a 3 x 4 float64 matrix, measured as float32
  });
});
