// Hugging Face layouts written by PyTorch (test/fixtures/hf/make_hf_fixtures.py): a GPT-2-shaped model in
// three shards with an index, a Trainer-style series of checkpoint-<step>/ folders, and bf16/f16 copies.
// Every imported tensor is compared bit for bit with torch's own float32 values (sha256 of their bytes),
// through both the batched and the chunk-streaming path; metrics with torch.linalg's.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectImport, isFolderImport, type FileImport } from './import-file';
import { importCheckpoint, importSteps, initWeights, type InitWeights } from './import-run';
import { openSafetensorsFile } from './safetensors-file';

const FIX = resolve(__dirname, '../../../test/fixtures/hf');
interface Expected {
  shape: number[];
  dtype: string;
  sha256_f32: string;
  fro_norm?: number;
  spectral_norm?: number;
  dist_from_init?: number;
}
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, Record<string, Expected>> & {
  series: Record<string, Record<string, Expected>>;
};
const out = mkdtempSync(join(tmpdir(), 'plateau-import-hf-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const sha = (a: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

/** Every tensor of an imported checkpoint as float32, by name, and the dtypes it is stored in. */
async function stored(path: string) {
  const st = await openSafetensorsFile(path);
  const values = new Map<string, Float32Array>();
  for (const e of st.entries) values.set(e.name, (await st.read(e.name)) as Float32Array);
  return { values, dtypes: new Map(st.entries.map((e) => [e.name, e.dtype])) };
}

async function expectSame(path: string, want: Record<string, Expected>) {
  const { values, dtypes } = await stored(path);
  expect([...values.keys()].sort()).toEqual(Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    expect(sha(values.get(name)!), name).toBe(w.sha256_f32);
    expect(dtypes.get(name), name).toBe(w.dtype); // bf16 and f16 are stored as they came
  }
}

describe('a Hugging Face folder written by PyTorch', () => {
  it('with shards and an index is one checkpoint, its config the run settings', async () => {
    const index = await inspectImport(join(FIX, 'gpt2-sharded'));
    expect(isFolderImport(index) && index.files.length).toBe(1);
    if (!isFolderImport(index)) return;
    expect(index.settings).toMatchObject({ model_type: 'gpt2', n_embd: 16, n_layer: 2, vocab_size: 64 });
    expect(index.tensors.map((t) => t.name).sort()).toEqual(Object.keys(expected['gpt2-sharded']).sort());
  });

  for (const [folder, label] of [
    ['gpt2-sharded', 'float32 shards'],
    ['gpt2-bf16', 'bfloat16'],
    ['gpt2-f16', 'float16'],
  ]) {
    for (const streamBytes of [Infinity, 0]) {
      it(`imports ${label} with every tensor equal to torch's (${streamBytes ? 'batched' : 'streamed in chunks'})`, async () => {
        const index = await inspectImport(join(FIX, folder));
        const [{ file }] = importSteps(index);
        const path = join(out, `${folder}-${streamBytes}.safetensors`);
        let bytes = 0;
        const r = await importCheckpoint(file, 0, path, undefined, { streamBytes, onBytes: (n) => (bytes += n) });
        await expectSame(path, expected[folder]);
        const width = folder === 'gpt2-sharded' ? 4 : 2;
        expect(bytes).toBe(Object.values(expected[folder]).reduce((s, t) => s + width * t.shape.reduce((a, b) => a * b, 1), 0));
        // weights-only measures per 2-D weight, against torch.linalg on the same values
        for (const [name, w] of Object.entries(expected[folder])) {
          if (w.shape.length !== 2) continue;
          const at = (key: string) => r.rows.find((x) => x.layer === name && x.key === key)?.value;
          expect(at('fro_norm'), name).toBeCloseTo(w.fro_norm!, 4);
          expect(at('spectral_norm')! / w.spectral_norm!, name).toBeCloseTo(1, 5);
        }
      });
    }
  }

  it('measures a matrix chunk by chunk when its spectrum is left to the metrics job, with the same norms', async () => {
    const [{ file }] = importSteps(await inspectImport(join(FIX, 'gpt2-bf16')));
    const path = join(out, 'bf16-chunk-measured.safetensors');
    const r = await importCheckpoint(file, 0, path, undefined, { streamBytes: 0, spectrumMax: 0 });
    await expectSame(path, expected['gpt2-bf16']);
    const matrices = Object.entries(expected['gpt2-bf16']).filter(([, w]) => w.shape.length === 2);
    expect(r.rows.map((x) => x.key).sort()).toEqual(matrices.flatMap(() => ['dist_from_init', 'fro_norm']).sort());
    for (const [name, w] of matrices)
      expect(r.rows.find((x) => x.layer === name && x.key === 'fro_norm')!.value).toBeCloseTo(w.fro_norm!, 5);
    // a range of a stored bf16 tensor reads back as the same elements of the whole
    const st = await openSafetensorsFile(path);
    const whole = (await st.read('transformer.wte.weight')) as Float32Array;
    expect(Array.from(await st.readElements('transformer.wte.weight', 37, 100))).toEqual(Array.from(whole.subarray(37, 137)));
  });

  it('as a series of checkpoint-<step>/ folders imports one checkpoint per step, dist_from_init from the first', async () => {
    const index = await inspectImport(join(FIX, 'series'));
    const steps = importSteps(index);
    expect(steps.map((s) => s.step)).toEqual([10, 20, 30]);
    let init: InitWeights | undefined;
    for (const [i, { step, file }] of steps.entries()) {
      const path = join(out, `series-${step}.safetensors`);
      // batched, streamed whole, and streamed with the norms summed over chunks (distance read by range)
      const options = [{ streamBytes: Infinity }, { streamBytes: 0 }, { streamBytes: 0, spectrumMax: 0 }][i];
      const r = await importCheckpoint(file as FileImport, step, path, init, options);
      await expectSame(path, expected.series[String(step)]);
      for (const [name, w] of Object.entries(expected.series[String(step)])) {
        if (w.shape.length !== 2) continue;
        const dist = r.rows.find((x) => x.layer === name && x.key === 'dist_from_init')!;
        expect(dist.step).toBe(step);
        if (step === 10) expect(dist.value).toBe(0);
        else expect(dist.value / w.dist_from_init!, name).toBeCloseTo(1, 4);
      }
      init ??= await initWeights(path, r.tensors);
    }
  });
});
