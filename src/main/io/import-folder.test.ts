// Hugging Face layouts written here from tensors made here: what comes out must equal what went in.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { readCheckpoint } from './checkpoint-file';
import { inspectImport, isFolderImport, type FileImport, type ImportIndex } from './import-file';
import type { FolderImport } from './import-folder';
import { importCheckpoint, importSteps } from './import-run';
import { encodeSafetensors, type TensorToWrite } from './safetensors';

const TORCH = resolve(__dirname, '../../../test/fixtures/import');
const root = mkdtempSync(join(tmpdir(), 'plateau-hf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (...p: string[]) => join(root, ...p);

/** A small transformer-ish state dict: values i * 0.25 + scale, so every tensor (and step) differs. */
function source(scale = 0): Record<string, TensorToWrite> {
  const t = (shape: number[], offset: number) => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => offset + i * 0.25 + scale),
  });
  return {
    'embed.weight': t([10, 4], 0),
    'layers.0.attn.weight': t([4, 4], 100),
    'layers.0.attn.bias': t([4], 200),
    'layers.1.attn.weight': t([4, 4], 300),
    'layers.1.mlp.weight': t([8, 4], 400),
    'lm_head.weight': t([10, 4], 500),
  };
}

const CONFIG = {
  architectures: ['TinyForCausalLM'],
  model_type: 'tiny',
  hidden_size: 4,
  num_hidden_layers: 2,
  vocab_size: 10,
  tie_word_embeddings: false,
  id2label: { 0: 'a' },
};

/** Writes `tensors` as `model-0000i-of-0000N.safetensors` shards (names split in order) and, unless told not to, the index. */
function writeSharded(
  dir: string,
  tensors: Record<string, TensorToWrite>,
  shards: number,
  opts: { index?: boolean; weightMap?: Record<string, string> } = {},
) {
  mkdirSync(dir, { recursive: true });
  const names = Object.keys(tensors);
  const per = Math.ceil(names.length / shards);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = names.slice(s * per, (s + 1) * per);
    writeFileSync(join(dir, file), encodeSafetensors(Object.fromEntries(part.map((n) => [n, tensors[n]])), { format: 'pt' }));
    for (const n of part) weightMap[n] = file;
  }
  const index = { metadata: { total_size: 0 }, weight_map: opts.weightMap ?? weightMap };
  if (opts.index !== false) writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
  return weightMap;
}

function folder(index: ImportIndex): FolderImport {
  if (!isFolderImport(index)) throw new Error(`expected a folder, got ${index.format}`);
  return index;
}

async function expectEqualTo(file: FileImport, tensors: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>) {
  expect(file.tensors.map((t) => t.name).sort()).toEqual(Object.keys(tensors).sort());
  for (const t of await file.load()) {
    expect(t.shape).toEqual(tensors[t.name].shape);
    expect(Array.from(t.data)).toEqual(Array.from(tensors[t.name].data));
  }
}

async function expectError(p: Promise<unknown>, ...patterns: RegExp[]) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlateauError);
  for (const pattern of patterns) expect((err as Error).message).toMatch(pattern);
}

describe('a Hugging Face sharded checkpoint', () => {
  it('imports 3 shards with their index as ONE checkpoint whose tensors equal the source', async () => {
    const src = source();
    writeSharded(at('hf'), src, 3);
    writeFileSync(at('hf', 'config.json'), JSON.stringify(CONFIG));
    copyFileSync(join(TORCH, 'mlp_state.pt'), at('hf', 'optimizer.pt')); // a Trainer's training state: not the model
    writeFileSync(at('hf', 'tokenizer.json'), '{"version": "1.0"}');
    const idx = folder(await inspectImport(at('hf')));
    expect(idx.files.map((f) => [f.path, f.step, f.import.format])).toEqual([[at('hf'), null, 'safetensors']]);
    await expectEqualTo(idx.files[0].import, src);
    // one tensor at a time, as the importer asks for big ones, from whichever shard holds it
    expect(Array.from((await idx.files[0].import.load(['lm_head.weight']))[0].data)).toEqual(Array.from(src['lm_head.weight'].data));
    expect(idx.settings).toEqual({
      architectures: 'TinyForCausalLM',
      model_type: 'tiny',
      hidden_size: 4,
      num_hidden_layers: 2,
      vocab_size: 10,
      tie_word_embeddings: false,
    });
    expect(idx.skipped).toEqual([{ name: join('hf', 'optimizer.pt'), reason: expect.stringMatching(/not part of it/) }]);
    // and through the import itself: the written Plateau checkpoint holds the source's values
    const steps = importSteps(idx);
    expect(steps.map((s) => s.step)).toEqual([0]);
    await importCheckpoint(steps[0].file, 0, at('hf-out.safetensors'));
    const saved = await readCheckpoint(at('hf-out.safetensors'));
    for (const [name, t] of Object.entries(src)) expect(Array.from(saved.weights[name].data)).toEqual(Array.from(t.data));
  });

  it('reads shards without an index when all N are there', async () => {
    const src = source(1);
    writeSharded(at('noindex'), src, 2, { index: false });
    await expectEqualTo(folder(await inspectImport(at('noindex'))).files[0].import, src);
  });

  it("flags NaN in a shard on the merged checkpoint's tensor once loaded", async () => {
    const src = { ...source(), 'layers.1.mlp.weight': { shape: [2], data: Float32Array.from([NaN, 1]) } };
    writeSharded(at('nan'), src, 3);
    const merged = folder(await inspectImport(at('nan'))).files[0].import;
    await merged.load();
    expect(merged.tensors.filter((t) => t.nonFinite).map((t) => [t.name, t.nonFinite])).toEqual([['layers.1.mlp.weight', 1]]);
  });

  it('reads pytorch_model shards with pytorch_model.bin.index.json, and a lone pytorch_model.bin', async () => {
    const reference = (await inspectImport(join(TORCH, 'mlp_state.pt'))) as FileImport;
    const expected = Object.fromEntries((await reference.load()).map((t) => [t.name, t]));
    mkdirSync(at('pt-sharded'));
    copyFileSync(join(TORCH, 'mlp_state.pt'), at('pt-sharded', 'pytorch_model-00001-of-00001.bin'));
    const weightMap = Object.fromEntries(reference.tensors.map((t) => [t.name, 'pytorch_model-00001-of-00001.bin']));
    writeFileSync(at('pt-sharded', 'pytorch_model.bin.index.json'), JSON.stringify({ weight_map: weightMap }));
    const sharded = folder(await inspectImport(at('pt-sharded'))).files[0].import;
    expect(sharded.format).toBe('torch');
    await expectEqualTo(sharded, expected);
    mkdirSync(at('pt-one'));
    copyFileSync(join(TORCH, 'mlp_state.pt'), at('pt-one', 'pytorch_model.bin'));
    writeFileSync(at('pt-one', 'config.json'), JSON.stringify(CONFIG));
    await expectEqualTo(folder(await inspectImport(at('pt-one'))).files[0].import, expected);
    // saved both ways (save_pretrained with safe_serialization, then torch.save): one checkpoint, the safetensors copy
    writeFileSync(at('pt-one', 'model.safetensors'), encodeSafetensors(source(7)));
    const both = folder(await inspectImport(at('pt-one')));
    expect(both.files.map((f) => f.import.format)).toEqual(['safetensors']);
    await expectEqualTo(both.files[0].import, source(7));
    expect(both.skipped?.map((s) => s.name)).toEqual([join('pt-one', 'pytorch_model.bin')]);
  });

  it('follows links, as in the Hugging Face hub cache (snapshots/<rev>/ files link into blobs/)', async () => {
    const src = source(3);
    mkdirSync(at('hub', 'blobs'), { recursive: true });
    mkdirSync(at('hub', 'snapshots', 'abc123'), { recursive: true });
    writeFileSync(at('hub', 'blobs', 'f00d'), encodeSafetensors(src));
    writeFileSync(at('hub', 'blobs', 'c0de'), JSON.stringify(CONFIG));
    symlinkSync('../../blobs/f00d', at('hub', 'snapshots', 'abc123', 'model.safetensors'));
    symlinkSync('../../blobs/c0de', at('hub', 'snapshots', 'abc123', 'config.json'));
    const idx = folder(await inspectImport(at('hub', 'snapshots', 'abc123')));
    await expectEqualTo(idx.files[0].import, src);
    expect(idx.settings?.vocab_size).toBe(10);
  });
});

describe('a folder of checkpoint folders', () => {
  it("is one run with one checkpoint per step, the output folder's own weights last", async () => {
    writeSharded(at('run', 'checkpoint-500'), source(500), 3);
    writeSharded(at('run', 'global_step1000'), source(1000), 2);
    mkdirSync(at('run', 'step1500'));
    writeFileSync(at('run', 'step1500', 'model.safetensors'), encodeSafetensors(source(1500)));
    writeFileSync(at('run', 'model.safetensors'), encodeSafetensors(source(2000)));
    writeFileSync(at('run', 'config.json'), JSON.stringify(CONFIG));
    mkdirSync(at('run', 'runs')); // TensorBoard logs: no checkpoint in there
    const idx = folder(await inspectImport(at('run')));
    expect(idx.files.map((f) => [f.path.slice(at('run').length), f.step])).toEqual([
      ['/checkpoint-500', 500],
      ['/global_step1000', 1000],
      ['/step1500', 1500],
      ['', null],
    ]);
    expect(importSteps(idx).map((s) => s.step)).toEqual([500, 1000, 1500, 1501]);
    for (const [i, scale] of [500, 1000, 1500, 2000].entries()) await expectEqualTo(idx.files[i].import, source(scale));
    expect(idx.settings?.model_type).toBe('tiny');
  });

  it("takes a single checkpoint folder's step from its name", async () => {
    const idx = folder(await inspectImport(at('run', 'checkpoint-500')));
    expect(importSteps(idx).map((s) => s.step)).toEqual([500]);
  });
});

describe('bad input is an error naming the file and tensor', () => {
  const src = source();
  it('a shard the index does not list', async () => {
    const map = writeSharded(at('bad1'), src, 3);
    const without3 = Object.fromEntries(Object.entries(map).filter(([, f]) => !f.startsWith('model-00003')));
    writeFileSync(at('bad1', 'model.safetensors.index.json'), JSON.stringify({ weight_map: without3 }));
    await expectError(
      inspectImport(at('bad1')),
      /model-00003-of-00003\.safetensors: a shard of the checkpoint, but model\.safetensors\.index\.json does not list it/,
    );
  });
  it('a tensor in two shards', async () => {
    writeSharded(at('bad2'), src, 2, { index: false });
    const again = encodeSafetensors({ 'embed.weight': src['embed.weight'], 'lm_head.weight': src['lm_head.weight'] });
    writeFileSync(at('bad2', 'model-00002-of-00002.safetensors'), again);
    await expectError(
      inspectImport(at('bad2')),
      /tensor 'embed\.weight' is in two shards, model-00001-of-00002\.safetensors and model-00002-of-00002\.safetensors/,
    );
  });
  it('a tensor the index puts in a shard that does not hold it', async () => {
    const map = writeSharded(at('bad3'), src, 3);
    writeFileSync(
      at('bad3', 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { ...map, 'final_norm.weight': 'model-00002-of-00003.safetensors' } }),
    );
    await expectError(
      inspectImport(at('bad3')),
      /index\.json puts tensor 'final_norm\.weight' in model-00002-of-00003\.safetensors, but .*model-00002-of-00003\.safetensors does not hold it/,
    );
  });
  it('a tensor the index puts in another shard', async () => {
    const map = writeSharded(at('bad4'), src, 3);
    writeFileSync(
      at('bad4', 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { ...map, 'embed.weight': 'model-00002-of-00003.safetensors' } }),
    );
    await expectError(
      inspectImport(at('bad4')),
      /model-00001-of-00003\.safetensors holds tensor 'embed\.weight', but model\.safetensors\.index\.json puts it in model-00002-of-00003/,
    );
  });
  it('a shard the index names that is not there, and a missing shard without an index', async () => {
    const map = writeSharded(at('bad5'), src, 3);
    rmSync(at('bad5', 'model-00002-of-00003.safetensors'));
    await expectError(
      inspectImport(at('bad5')),
      /index\.json lists shard model-00002-of-00003\.safetensors \(for tensor '[^']+' and maybe more\), which is not in the folder/,
    );
    writeSharded(at('bad6'), src, 3, { index: false });
    rmSync(at('bad6', 'model-00003-of-00003.safetensors'));
    await expectError(inspectImport(at('bad6')), /bad6: shard 3 of 3 \(model-00003-of-00003\.safetensors\) is missing/);
    writeFileSync(at('bad5', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...map, x: '../elsewhere.safetensors' } }));
    await expectError(inspectImport(at('bad5')), /weight_map\['x'\] names '\.\.\/elsewhere\.safetensors', which is not in this folder/);
    writeFileSync(at('bad5', 'model.safetensors.index.json'), '{"weight_map": [');
    await expectError(inspectImport(at('bad5')), /bad5\/model\.safetensors\.index\.json: is not valid JSON/);
  });
  it('two checkpoints for one step, and a config.json that is not JSON', async () => {
    writeSharded(at('dup', 'checkpoint-500'), src, 1);
    writeSharded(at('dup', 'step500'), src, 1);
    await expectError(inspectImport(at('dup')), /dup: two checkpoints for step 500: checkpoint-500 and step500/);
    writeSharded(at('badcfg'), src, 1);
    writeFileSync(at('badcfg', 'config.json'), '{"hidden_size": ');
    await expectError(inspectImport(at('badcfg')), /badcfg\/config\.json: is not valid JSON/);
  });
  it('a config.json on its own is not taken for a TF.js model', async () => {
    writeFileSync(at('config.json'), JSON.stringify(CONFIG));
    await expectError(inspectImport(at('config.json')), /config\.json: has no 'weightsManifest' list; not a TF\.js model\.json/);
  });
});
