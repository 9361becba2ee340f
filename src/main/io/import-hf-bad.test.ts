// Bad Hugging Face input, made from the PyTorch-written fixtures (test/fixtures/hf): each is refused at
// inspection -- before any run exists -- with an error naming the file and the tensor.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { inspectImport } from './import-file';
import { duplicateKey } from './json-duplicate-keys';

const FIX = resolve(__dirname, '../../../test/fixtures/hf');
const tmp = mkdtempSync(join(tmpdir(), 'plateau-hf-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** A fresh copy of a fixture folder to spoil. */
const copy = (name: string) => {
  const dir = join(tmp, `${n++}-${name.replace('/', '_')}`);
  cpSync(join(FIX, name), dir, { recursive: true });
  return dir;
};
const INDEX = 'model.safetensors.index.json';
const SHARD2 = 'model-00002-of-00003.safetensors';
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** Rewrites a safetensors file's header through `edit` (data section unchanged). */
function editHeader(path: string, edit: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void) {
  const bytes = readFileSync(path);
  const len = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + len).toString('utf8'));
  edit(header);
  const text = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(path, Buffer.concat([head, text, bytes.subarray(8 + len)]));
}

async function refusal(path: string): Promise<PlateauError> {
  const err = await inspectImport(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlateauError);
  return err as PlateauError;
}

describe('bad Hugging Face input is refused naming the file and the tensor', () => {
  it('a shard the index does not list', async () => {
    const dir = copy('gpt2-sharded');
    const index = json(join(dir, INDEX)) as { weight_map: Record<string, string> };
    const left = Object.entries(index.weight_map).filter(([, f]) => f === SHARD2);
    for (const [t] of left) delete index.weight_map[t];
    writeFileSync(join(dir, INDEX), JSON.stringify(index));
    const err = await refusal(dir);
    expect(err.message).toBe(
      `${join(dir, SHARD2)}: a shard of the checkpoint, but ${INDEX} does not list it in its weight_map (it holds tensor '${left[0][0]}')`,
    );
  });

  it('a shard the index lists that is not there', async () => {
    const dir = copy('gpt2-sharded');
    rmSync(join(dir, SHARD2));
    const first = Object.entries((json(join(dir, INDEX)) as { weight_map: Record<string, string> }).weight_map).find(
      ([, f]) => f === SHARD2,
    )!;
    expect((await refusal(dir)).message).toBe(
      `${join(dir, INDEX)} lists shard ${SHARD2} (for tensor '${first[0]}' and maybe more), which is not in the folder`,
    );
  });

  it('an index naming a tensor twice', async () => {
    const dir = copy('gpt2-sharded');
    const text = readFileSync(join(dir, INDEX), 'utf8');
    // The same tensor under a second shard, as a hand-merged index might: JSON.parse alone would keep the last.
    writeFileSync(join(dir, INDEX), text.replace('"weight_map": {', `"weight_map": {\n  "transformer.h.1.mlp.c_fc.weight": "${SHARD2}",`));
    const err = await refusal(dir);
    expect(err.message).toBe(`${join(dir, INDEX)}: weight_map names tensor 'transformer.h.1.mlp.c_fc.weight' twice`);
  });

  it('offsets outside a shard', async () => {
    const dir = copy('gpt2-sharded');
    let name = '';
    editHeader(join(dir, SHARD2), (h) => {
      name = Object.keys(h).find((k) => k !== '__metadata__')!;
      h[name].data_offsets[1] += 1 << 20;
    });
    expect((await refusal(dir)).message).toMatch(
      new RegExp(
        `^${join(dir, SHARD2)}: tensor '${name.replace(/\./g, '\\.')}': data_offsets \\[\\d+, \\d+\\] lie outside the \\d+-byte data section$`,
      ),
    );
  });

  it('a dtype the reader does not know', async () => {
    const dir = copy('gpt2-bf16');
    editHeader(join(dir, 'model.safetensors'), (h) => (h['transformer.h.0.attn.c_attn.weight'].dtype = 'F8_E4M3'));
    expect((await refusal(dir)).message).toMatch(
      new RegExp(`^${join(dir, 'model.safetensors')}: tensor 'transformer\\.h\\.0\\.attn\\.c_attn\\.weight': unsupported dtype "F8_E4M3"`),
    );
  });

  it.each([
    ['n_embd', 32, "n_embd is 32, but tensor 'transformer.wte.weight' is 16 wide (shape 64x16)"],
    ['vocab_size', 50257, "vocab_size is 50257, but tensor 'transformer.wte.weight' has 64 rows (shape 64x16)"],
    [
      'n_layer',
      3,
      "n_layer is 3, but tensor 'transformer.h.1.ln_1.weight' is in the last block, 1, so the tensors hold 2 blocks (shape 16)",
    ],
  ])('a config.json whose %s (%s) contradicts the tensors', async (key, value, problem) => {
    const dir = copy('gpt2-sharded');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json(join(dir, 'config.json')), [key]: value }));
    expect((await refusal(dir)).message).toBe(`${join(dir, 'config.json')}: ${problem}`);
  });

  it('a config whose embedding is narrower than its hidden size by its own word (OPT-350m) is no contradiction', async () => {
    const dir = copy('gpt2-sharded');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json(join(dir, 'config.json')), n_embd: 32, word_embed_proj_dim: 16 }));
    await expect(inspectImport(dir)).resolves.toMatchObject({ format: 'folder' });
  });

  it('a series folder with two checkpoints for one step', async () => {
    const dir = copy('series');
    cpSync(join(dir, 'checkpoint-20'), join(dir, 'step20'), { recursive: true });
    renameSync(join(dir, 'checkpoint-30'), join(dir, 'global_step30'));
    expect((await refusal(dir)).message).toBe(`${dir}: two checkpoints for step 20: checkpoint-20 and step20`);
  });

  it('finds duplicate keys only within one object', () => {
    expect(duplicateKey('{"a": {"x": 1}, "b": {"x": "a\\"x"}, "w": {"p": 1, "q": [1, {"p": 2}], "p": 3}}')).toEqual({
      key: 'p',
      path: ['w'],
    });
    expect(duplicateKey('{"a": {"x": 1}, "b": {"x": 2}}')).toBeNull();
  });
});
