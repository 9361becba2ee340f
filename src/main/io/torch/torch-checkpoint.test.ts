import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../../shared/api/errors';
import { bufferSource } from '../zip-reader';
import { inspectTorchCheckpoint, inspectTorchSource, readTorchCheckpoint } from './torch-checkpoint';

const FIXTURES = resolve(__dirname, '../../../../test/fixtures/import');
const fixture = (name: string) => resolve(FIXTURES, name);

interface Expected {
  tensors: Record<string, { shape: number[]; dtype: string; values: number[] | boolean[] }>;
  scalars: Record<string, number | string | boolean>;
}
const expected = (name: string): Expected => JSON.parse(readFileSync(fixture(`${name}.expected.json`), 'utf8'));

async function expectMatches(name: string) {
  const ckpt = await readTorchCheckpoint(fixture(`${name}.pt`));
  const exp = expected(name);
  expect(ckpt.tensors.map((t) => t.name).sort()).toEqual(Object.keys(exp.tensors).sort());
  for (const t of ckpt.tensors) {
    const e = exp.tensors[t.name];
    expect(t.shape, t.name).toEqual(e.shape);
    expect(t.dtype, t.name).toBe(e.dtype);
    // torch printed float32 values as doubles, so equality is exact, not approximate.
    expect(Array.from(t.data), t.name).toEqual(e.values.map(Number));
  }
  for (const [k, v] of Object.entries(exp.scalars)) expect(ckpt.scalars[k], k).toBe(v);
  return ckpt;
}

async function expectError(p: Promise<unknown>, pattern: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlateauError);
  expect((err as Error).message).toMatch(pattern);
  return err as PlateauError;
}

const bytesSource = (bytes: Uint8Array) => () => Promise.resolve(bufferSource(bytes));

describe('readTorchCheckpoint', () => {
  it('reads a plain state dict whose zip folder is the file stem', async () => {
    const ckpt = await expectMatches('mlp_state');
    expect(ckpt.tensors.map((t) => t.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(ckpt.tensors[0].data).toBeInstanceOf(Float32Array);
  });

  it('reads a training checkpoint: model, momentum buffers, param groups and scalars', async () => {
    const ckpt = await expectMatches('train_ckpt');
    const names = ckpt.tensors.map((t) => t.name);
    expect(names).toContain('model.0.weight');
    expect(names).toContain('optimizer.state.0.momentum_buffer');
    expect(ckpt.scalars).toMatchObject({ epoch: 3, lr: 0.1, run: 'demo', best_acc: 0.8125, device: 'cpu' });
    expect(ckpt.scalars['optimizer.param_groups.0.momentum']).toBe(0.9);
    expect(ckpt.scalars['optimizer.param_groups.0.nesterov']).toBe(false);
  });

  it("reads a checkpoint saved through a buffer ('archive/' folder) with Adam state", async () => {
    const ckpt = await expectMatches('buffer_ckpt');
    expect(ckpt.tensors.map((t) => t.name)).toContain('optim.state.3.exp_avg_sq');
    expect(ckpt.scalars.step).toBe(1000);
  });

  it('materialises views: transposes, slices, columns and zero-stride expands', async () => {
    await expectMatches('views');
  });

  it('decodes half, bfloat16, float64, int64, int32, uint8, bool, 0-d and empty tensors', async () => {
    const ckpt = await expectMatches('dtypes');
    const by = Object.fromEntries(ckpt.tensors.map((t) => [t.name, t]));
    expect(by.double.data).toBeInstanceOf(Float64Array);
    expect(by.int64.data).toBeInstanceOf(Float64Array);
    expect(by.int32.data).toBeInstanceOf(Int32Array);
    expect(by.scalar.shape).toEqual([]);
    expect(by.empty.shape).toEqual([0, 3]);
  });

  it('inspects names, shapes and dtypes without loading data, and loads a subset on demand', async () => {
    const index = await inspectTorchCheckpoint(fixture('train_ckpt.pt'));
    expect(index.tensors.find((t) => t.name === 'model.2.weight')).toEqual({ name: 'model.2.weight', shape: [3, 8], dtype: 'f4' });
    const [w] = await index.load(['model.2.bias']);
    expect(w.name).toBe('model.2.bias');
    expect(Array.from(w.data)).toEqual(expected('train_ckpt').tensors['model.2.bias'].values);
    await expectError(index.load(['nope']), /no tensor named 'nope'/);
  });

  it('refuses a pickle naming a hostile GLOBAL (os.system), naming it, and never runs it', async () => {
    const err = await expectError(
      readTorchCheckpoint(fixture('evil.pt')),
      /evil\.pt: its pickle calls (posix|os)\.system, which is not data; Plateau reads only torch, collections and numpy types, and ran nothing\./,
    );
    expect(err.code).toBe('InvalidParams');
    expect(existsSync('/tmp/plateau-pwned')).toBe(false);
  });
});

describe('readTorchCheckpoint on bad input', () => {
  const good = new Uint8Array(readFileSync(fixture('mlp_state.pt')));

  it('refuses the legacy pre-1.6 format with advice to re-save', async () => {
    await expectError(readTorchCheckpoint(fixture('legacy.pt')), /legacy \(pre-1\.6\).*torch\.save/);
  });

  it('names the file when it does not exist', async () => {
    const err = await expectError(readTorchCheckpoint(fixture('missing.pt')), /missing\.pt: no such file/);
    expect(err.code).toBe('NotFound');
  });

  it('reports a truncated zip clearly', async () => {
    for (const cut of [good.length - 10, Math.floor(good.length / 2), 30]) {
      await expectError(inspectTorchSource(bytesSource(good.subarray(0, cut)), 'cut.pt'), /^cut\.pt: .*(truncated|corrupted)/);
    }
  });

  it('reports a corrupted storage byte as a CRC mismatch', async () => {
    const files = unzipSync(good);
    const bad = zipSync(files, { level: 0 });
    const at = findBytes(bad, files['mlp_state/data/1']);
    bad[at] ^= 0xff;
    const index = await inspectTorchSource(bytesSource(bad), 'flip.pt');
    await expectError(index.load(), /flip\.pt: member 'mlp_state\/data\/1': CRC mismatch/);
  });

  it('reports a missing storage member, naming the tensor', async () => {
    const files = unzipSync(good);
    delete files['mlp_state/data/2'];
    await expectError(
      inspectTorchSource(bytesSource(zipSync(files)), 'nokey.pt'),
      /tensor '2\.weight' refers to storage '2'.*no member mlp_state\/data\/2/,
    );
  });

  it('reports an unknown opcode with its position', async () => {
    const pkl = new Uint8Array([0x80, 0x02, 0x7d, 0xff, 0x2e]);
    const zip = zipSync({ 'x/data.pkl': pkl });
    await expectError(inspectTorchSource(bytesSource(zip), 'op.pt'), /^op\.pt: data\.pkl: unsupported pickle opcode 0xff at byte 3/);
  });

  it('reports a view that reaches past its storage', async () => {
    const files = unzipSync(good);
    files['mlp_state/data/1'] = files['mlp_state/data/1'].subarray(0, 8); // bias of 8 floats cut to 2
    const index = await inspectTorchSource(bytesSource(zipSync(files)), 'short.pt');
    await expectError(index.load(), /short\.pt: tensor '0\.bias': the view .* reaches element 7 of a storage of 2/);
  });

  it('says a zip without data.pkl is not a torch checkpoint', async () => {
    const zip = zipSync({ 'a.npy': strToU8('x') });
    await expectError(inspectTorchSource(bytesSource(zip), 'a.zip'), /no data\.pkl.*NumPy \.npz/);
  });

  it('keeps the archive prefix from the zip, not from the file name', async () => {
    const files = unzipSync(good);
    const renamed = Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace('mlp_state/', 'other/'), v]));
    const index = await inspectTorchSource(bytesSource(zipSync(renamed)), 'mlp_state.pt');
    expect((await index.load()).length).toBe(4);
    expect(strFromU8(files['mlp_state/version']).trim()).toMatch(/^\d+$/);
  });
});

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
