import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { inspectImport, isFolderImport, stepFromName, type FileImport } from './import-file';
import { encodeNpy } from './npy';
import { encodeSafetensors } from './safetensors';

const TORCH = resolve(__dirname, '../../../test/fixtures/import');
const dir = mkdtempSync(join(tmpdir(), 'plateau-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

const dump = () => ({
  'features.npy': encodeNpy([2, 2], new Float32Array([1, 0, 0, 1])),
  'labels.npy': encodeNpy([2], new Int32Array([0, 1])),
  'weight.npy': encodeNpy([2, 2], new Float32Array([1, 2, 3, 4])),
});

async function expectError(p: Promise<unknown>, pattern: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlateauError);
  expect((err as Error).message).toMatch(pattern);
}

describe('stepFromName', () => {
  it.each([
    ['ckpt_step1000.pt', 1000],
    ['epoch_12.safetensors', 12],
    ['model-ep3.pth', 3],
    ['run2_iter-500.pt', 500],
    ['checkpoint-42.bin', 42],
    ['weights_7.npz', 7],
    ['final.pt', null],
    // a shard's number is not a step
    ['model-00001-of-00003.safetensors', null],
    ['pytorch_model-00002-of-00003.bin', null],
    ['step300-00001-of-00002.safetensors', 300],
  ])('%s -> %s', (name, step) => expect(stepFromName(name)).toBe(step));
});

describe('inspectImport', () => {
  it('sniffs a torch.save zip and loads it', async () => {
    const idx = (await inspectImport(join(TORCH, 'train_ckpt.pt'))) as FileImport;
    expect(idx.format).toBe('torch');
    expect(idx.scalars?.epoch).toBe(3);
    expect(idx.tensors.find((t) => t.name === 'model.0.weight')?.shape).toEqual([8, 4]);
    expect((await idx.load(['model.0.bias']))[0].data.length).toBe(8);
  });

  it('sniffs safetensors (metadata as scalars), .npy and .npz regardless of extension', async () => {
    writeFileSync(at('w.data'), encodeSafetensors({ a: { shape: [2], data: new Float32Array([1, 2]) } }, { step: '5', note: 'x' }));
    const st = (await inspectImport(at('w.data'))) as FileImport;
    expect([st.format, st.tensors, st.scalars]).toEqual(['safetensors', [{ name: 'a', shape: [2], dtype: 'f4' }], { step: 5, note: 'x' }]);
    writeFileSync(at('v.npy'), encodeNpy([3], new Float64Array([1, 2, 3])));
    const npy = (await inspectImport(at('v.npy'))) as FileImport;
    expect([npy.format, npy.tensors]).toEqual(['npy', [{ name: 'v', shape: [3], dtype: 'f8' }]]);
    writeFileSync(at('arrays.npz'), zipSync({ 'x.npy': encodeNpy([1], new Int32Array([9])) }));
    const npz = (await inspectImport(at('arrays.npz'))) as FileImport;
    expect(npz.format).toBe('npz');
    expect(Array.from((await npz.load())[0].data)).toEqual([9]);
  });

  it('does not take a safetensors file whose header length starts like a pickle (0x80 0x02) for torch', async () => {
    let bytes: Uint8Array = new Uint8Array();
    for (let pad = 0; !(bytes[0] === 0x80 && bytes[1] === 0x02); pad++) {
      bytes = encodeSafetensors({ a: { shape: [1], data: new Float32Array([7]) } }, { note: 'x'.repeat(pad) });
    }
    writeFileSync(at('pickle-like.safetensors'), bytes);
    const st = (await inspectImport(at('pickle-like.safetensors'))) as FileImport;
    expect([st.format, Array.from((await st.load())[0].data)]).toEqual(['safetensors', [7]]);
  });

  it('recognises a feature dump and validates it at inspection', async () => {
    writeFileSync(at('dump.npz'), zipSync(dump()));
    expect((await inspectImport(at('dump.npz'))).format).toBe('feature-dump');
    writeFileSync(at('bad-dump.npz'), zipSync({ ...dump(), 'labels.npy': encodeNpy([3], new Int32Array([0, 1, 1])) }));
    await expectError(inspectImport(at('bad-dump.npz')), /bad-dump\.npz: array 'labels' must be int with shape \[2\]/);
  });

  it('sniffs a TF.js model.json', async () => {
    mkdirSync(at('tfjs'));
    writeFileSync(at('tfjs/g.bin'), new Uint8Array(new Float32Array([1, 2]).buffer));
    writeFileSync(
      at('tfjs/model.json'),
      JSON.stringify({ weightsManifest: [{ paths: ['g.bin'], weights: [{ name: 'k', shape: [2], dtype: 'float32' }] }] }),
    );
    const idx = (await inspectImport(at('tfjs/model.json'))) as FileImport;
    expect([idx.format, idx.tensors]).toEqual(['tfjs', [{ name: 'k', shape: [2], dtype: 'f4' }]]);
  });

  it('orders a folder of checkpoints by the step in their names', async () => {
    mkdirSync(at('run'));
    copyFileSync(join(TORCH, 'mlp_state.pt'), at('run/ckpt_step1000.pt'));
    copyFileSync(join(TORCH, 'mlp_state.pt'), at('run/ckpt_step200.pt'));
    copyFileSync(join(TORCH, 'mlp_state.pt'), at('run/final.pt'));
    writeFileSync(at('run/epoch_5.safetensors'), encodeSafetensors({ '0.weight': { shape: [1], data: new Float32Array([1]) } }));
    writeFileSync(at('run/notes.txt'), 'not a checkpoint');
    const idx = await inspectImport(at('run'));
    if (!isFolderImport(idx)) throw new Error('expected a folder');
    expect(idx.files.map((f) => [f.path.slice(at('run').length + 1), f.step, f.import.format])).toEqual([
      ['epoch_5.safetensors', 5, 'safetensors'],
      ['ckpt_step200.pt', 200, 'torch'],
      ['ckpt_step1000.pt', 1000, 'torch'],
      ['final.pt', null, 'torch'],
    ]);
  });

  it('names the file and lists the supported formats for anything else', async () => {
    writeFileSync(at('notes.txt'), 'hello world, not weights');
    await expectError(
      inspectImport(at('notes.txt')),
      /notes\.txt: an unrecognised file; supported formats: .*safetensors.*PyTorch .*NumPy.*TF\.js/,
    );
    writeFileSync(at('other.zip'), zipSync({ 'readme.md': new Uint8Array([65]) }));
    await expectError(inspectImport(at('other.zip')), /other\.zip: a zip archive that is none of the supported formats/);
    await expectError(inspectImport(join(TORCH, 'legacy.pt')), /legacy \(pre-1\.6\)/);
    await expectError(inspectImport(at('nothing')), /nothing: no such file or folder/);
    mkdirSync(at('empty'));
    await expectError(inspectImport(at('empty')), /empty: the folder holds no checkpoint files/);
  });

  it('refuses an archive claiming a huge size, naming the file, before unpacking it', async () => {
    const zip = zipSync({ 'x.npy': encodeNpy([1000], new Float32Array(1000)) }, { level: 9 });
    const v = new DataView(zip.buffer);
    for (let i = 0; i + 4 <= zip.length; i++) if (v.getUint32(i, true) === 0x02014b50) v.setUint32(i + 24, 0xfffffff0, true);
    writeFileSync(at('bomb.npz'), zip);
    await expectError(
      inspectImport(at('bomb.npz')),
      /bomb\.npz: member 'x\.npy' claims 4294967280 bytes uncompressed .* nothing was unpacked/,
    );
  });

  it('turns random bytes into a PlateauError naming the file, whatever they start with', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const starts = [
      [],
      [0x80, 0x02],
      [0x7b],
      [0x50, 0x4b, 0x03, 0x04],
      [0x93, ...new TextEncoder().encode('NUMPY')],
      [40, 0, 0, 0, 0, 0, 0, 0, 0x7b],
    ];
    for (const [i, start] of starts.entries()) {
      for (const size of [3, 64, 5000]) {
        const bytes = Uint8Array.from({ length: size }, (_, k) => (k < start.length ? start[k] : rand()));
        const name = `random-${i}-${size}.bin`;
        writeFileSync(at(name), bytes);
        await expectError(
          inspectImport(at(name)).then((idx) => (idx as FileImport).load()),
          new RegExp(name.replace(/[.-]/g, '\\$&')),
        );
      }
    }
  });

  it('flags NaN and Inf at inspection for arrays it reads whole', async () => {
    writeFileSync(at('nan.npy'), encodeNpy([3], new Float32Array([1, NaN, -Infinity])));
    expect(((await inspectImport(at('nan.npy'))) as FileImport).tensors).toEqual([{ name: 'nan', shape: [3], dtype: 'f4', nonFinite: 2 }]);
  });
});

describe('safetensors read lazily', () => {
  // Values tied to each tensor's index, so a tensor read from its neighbour's bytes shows.
  const N = 3000;
  const tensors: Record<string, { shape: number[]; data: Float32Array | Float64Array | Int32Array }> = {};
  for (let i = 0; i < N; i++) {
    const kind = i % 3;
    const values = [i, i + 0.5, -i];
    const data = kind === 0 ? new Float32Array(values) : kind === 1 ? new Float64Array(values) : new Int32Array([i, i + 1, -i]);
    tensors[`t${i}`] = { shape: [3], data };
  }
  const expected = (i: number) => (i % 3 === 2 ? [i, i + 1, -i] : [i, i + 0.5, -i]);

  it('loads thousands of small tensors, in any order asked, each from its own bytes', async () => {
    writeFileSync(at('many.safetensors'), encodeSafetensors(tensors));
    const idx = (await inspectImport(at('many.safetensors'))) as FileImport;
    expect(idx.tensors).toHaveLength(N);
    const asked = Array.from({ length: N }, (_, i) => `t${(i * 7919) % N}`); // a permutation: 7919 is prime to 3000
    const got = new Map((await idx.load(asked)).map((t) => [t.name, Array.from(t.data)]));
    for (let i = 0; i < N; i++) expect(got.get(`t${i}`), `t${i}`).toEqual(expected(i));
    const all = await idx.load();
    expect(all.map((t) => t.name)).toEqual(idx.tensors.map((t) => t.name));
    // every fifth: the bytes between two wanted tensors are skipped within one read, not taken for theirs
    const fifth = await idx.load(Array.from({ length: N / 5 }, (_, k) => `t${5 * k + 1}`));
    expect(fifth).toHaveLength(N / 5);
    for (const t of fifth) expect(Array.from(t.data), t.name).toEqual(expected(Number(t.name.slice(1))));
    expect(new Set(fifth.map((t) => Number(t.name.slice(1)) % 5))).toEqual(new Set([1]));
  });

  it('reads a lone tensor into spare memory bigger than it, even at the end of the file', async () => {
    const two = { a: { shape: [2], data: new Float32Array([1, 2]) }, b: { shape: [2], data: new Float32Array([3, 4]) } };
    writeFileSync(at('tail.safetensors'), encodeSafetensors(two));
    const idx = (await inspectImport(at('tail.safetensors'))) as FileImport;
    const spare = new Float32Array([9, 9, 9, 9, 9, 9]).buffer;
    const [b] = await idx.load(['b'], { reuse: spare });
    expect(Array.from(b.data)).toEqual([3, 4]);
  });
});
