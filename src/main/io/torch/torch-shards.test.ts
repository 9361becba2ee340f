// pytorch_model-0000i-of-0000N.bin shards with their index, written by PyTorch's own torch.save
// (test/fixtures/torch-shards/make_torch_shards.py, with PyTorch's hashes of every tensor): imported as one checkpoint with every tensor equal to torch's,
// big tensors streamed a range at a time from the zip (never read whole), through the restricted unpickler.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlateauError } from '../../../shared/api/errors';
import { inspectImport, isFolderImport } from '../import-file';
import { importCheckpoint, importSteps } from '../import-run';
import { openSafetensorsFile } from '../safetensors-file';
import { ZipReader } from '../zip-reader';
import { inspectTorchCheckpoint } from './torch-checkpoint';

const dir = mkdtempSync(join(tmpdir(), 'plateau-torch-shards-'));
let expected: Record<string, Record<string, { shape: number[]; f32: string; raw: string }>>;
beforeAll(() => {
  // kept files written once by torch.save (no torch needed here); the tests below cut copies of them
  cpSync(join(__dirname, '../../../../test/fixtures/torch-shards'), dir, { recursive: true });
  expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sharded pytorch_model.bin checkpoints', () => {
  for (const folder of ['f32', 'bf16']) {
    for (const streamBytes of [0, Infinity]) {
      it(`imports ${folder} shards as one checkpoint, every tensor equal to torch's (${streamBytes ? 'batched' : 'streamed'})`, async () => {
        const index = await inspectImport(join(dir, folder));
        expect(isFolderImport(index) && index.files.length).toBe(1);
        const [{ file }] = importSteps(index);
        expect(typeof file.readChunks).toBe('function');
        const reads = vi.spyOn(ZipReader.prototype, 'read');
        const path = join(dir, `${folder}-${streamBytes}.safetensors`);
        try {
          await importCheckpoint(file, 0, path, undefined, { streamBytes });
          if (!streamBytes) {
            // only data.pkl-like members and the strided view's storage are read whole; contiguous tensors by ranges
            const whole = reads.mock.calls.map(([m]) => m).filter((m) => m.includes('/data/'));
            expect(whole.length).toBe(1); // attn's storage, for the strided q view
          }
        } finally {
          reads.mockRestore();
        }
        const st = await openSafetensorsFile(path);
        expect(st.entries.map((e) => e.name).sort()).toEqual(Object.keys(expected[folder]).sort());
        for (const e of st.entries) {
          const want = expected[folder][e.name];
          expect(e.shape, e.name).toEqual(want.shape);
          expect(e.dtype, e.name).toBe(folder === 'bf16' ? 'bf16' : 'f4'); // bf16 stored as it came
          const values = (await st.read(e.name)) as Float32Array;
          expect(sha(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)), e.name).toBe(want.f32);
        }
      });
    }
  }

  it('hands a contiguous tensor over in chunks of whole elements, its bytes as torch wrote them', async () => {
    const shard = join(dir, 'bf16', 'pytorch_model-00001-of-00002.bin');
    const idx = await inspectTorchCheckpoint(shard);
    for (const name of ['transformer.wte.weight', 'lm_head.weight']) {
      const chunks: Uint8Array[] = [];
      await idx.readChunks(name, (b) => void chunks.push(b.slice()), 1000);
      expect(chunks.length).toBe(Math.ceil((300 * 40 * 2) / 1000));
      expect(chunks.slice(0, -1).every((c) => c.length === 1000)).toBe(true);
      expect(sha(Buffer.concat(chunks))).toBe(expected.bf16[name].raw);
    }
    const offset = join(dir, 'f32', 'pytorch_model-00002-of-00002.bin');
    const chunks: Uint8Array[] = [];
    await (await inspectTorchCheckpoint(offset)).readChunks('transformer.h.0.mlp.c_fc.weight', (b) => void chunks.push(b.slice()), 4096);
    expect(sha(Buffer.concat(chunks))).toBe(expected.f32['transformer.h.0.mlp.c_fc.weight'].raw);
    await expect(idx.readChunks('nope', () => {})).rejects.toThrow(/no tensor named 'nope'/);
  });

  it('refuses a tensor whose storage was cut short, naming the file, the tensor and the sizes', async () => {
    const files = unzipSync(readFileSync(join(dir, 'f32', 'pytorch_model-00001-of-00002.bin')));
    const key = Object.keys(files).find((k) => /\/data\/\d+$/.test(k) && files[k].length === 300 * 40 * 4)!;
    files[key] = files[key].subarray(0, 1000);
    const cut = join(dir, 'cut.bin');
    writeFileSync(cut, zipSync(files, { level: 0 })); // still stored members, so the streaming route takes it
    const err = await (await inspectTorchCheckpoint(cut)).readChunks('transformer.wte.weight', () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(
      /cut\.bin: tensor 'transformer\.wte\.weight': the view .* reaches byte 48000 of storage '\d+', which holds 1000/,
    );
  });
});
