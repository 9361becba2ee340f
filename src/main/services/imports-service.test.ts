import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSafetensors } from '../io/safetensors';
import { testApp } from '../test/test-app';

const fixtures = resolve(__dirname, '../../../test/fixtures');
let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

async function importInto(path: string) {
  const p = await t.client.projects.create({ name: `P${Math.random()}` });
  const run = await t.client.runs.get({ id: (await t.client.imports.start({ projectId: p.id, path })).id });
  await t.app.ctx.jobs.idle();
  return t.client.runs.get({ id: run.id });
}
const final = async (runId: number, key: string, layer: string, split: 'train' | 'test' | 'none' = 'none') =>
  (await t.client.metrics.series({ runIds: [runId], keys: [key], split })).find((s) => s.layer === layer)!;

describe('importing checkpoints', () => {
  it("a torch state dict becomes an imported run with a checkpoint and weights-only metrics matching torch's own values", async () => {
    t = testApp();
    const path = join(fixtures, 'import/mlp_state.pt');
    const preview = await t.client.imports.inspect({ path });
    expect(preview.format).toBe('torch');
    expect(preview.tensors.find((x) => x.name === '0.weight')).toEqual({ name: '0.weight', shape: [8, 4], dtype: 'f4' });
    const run = await importInto(path);
    expect(run).toMatchObject({ status: 'imported', origin: 'imported', name: 'mlp_state.pt' });
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([0]);
    await expect(t.client.metrics.compute({ runId: run.id, keys: ['kappa'] })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/weights-only measures .* feature dump/),
    });
    const torchValues = JSON.parse(readFileSync(join(fixtures, 'import/mlp_state.expected.json'), 'utf8')).tensors['0.weight']
      .values as number[];
    const fro = await final(run.id, 'fro_norm', '0.weight');
    expect(fro.values[0]).toBeCloseTo(Math.sqrt(torchValues.reduce((a, v) => a + v * v, 0)), 5);
  });

  it('a training checkpoint is filed under its epoch, without the optimizer state among the weights', async () => {
    t = testApp();
    const run = await importInto(join(fixtures, 'import/train_ckpt.pt'));
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([3]);
    const detail = await t.client.checkpoints.inspect({ id: (await t.client.runs.checkpoints({ id: run.id }))[0].id });
    expect(detail.layers.some((l) => l.name.startsWith('model.'))).toBe(true);
    expect(detail.layers.some((l) => l.name.startsWith('optimizer.'))).toBe(false);
  });

  it('a folder of checkpoints becomes one run ordered by the steps in the file names, with distance from the first', async () => {
    t = testApp();
    const dir = join(t.dataDir, 'exported');
    mkdirSync(dir);
    const w = (v: number[]) => encodeSafetensors({ 'fc.weight': { shape: [2, 2], data: Float32Array.from(v) } });
    writeFileSync(join(dir, 'ckpt_step50.safetensors'), w([4, 4, 0, 3]));
    writeFileSync(join(dir, 'ckpt_step5.safetensors'), w([1, 0, 0, 0]));
    writeFileSync(join(dir, 'notes.txt'), 'not a checkpoint');
    expect((await t.client.imports.inspect({ path: dir })).files.map((f) => f.step)).toEqual([5, 50]);
    const run = await importInto(dir);
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([5, 50]);
    const dist = await final(run.id, 'dist_from_init', 'fc.weight');
    expect(dist.steps).toEqual([5, 50]);
    expect(dist.values[1]).toBeCloseTo(Math.sqrt(9 + 16 + 9), 5); // ||(4,4,0,3) - (1,0,0,0)||
  });

  it('a Trainer output folder (sharded checkpoint-<step>/ folders + config.json) is one run, one checkpoint per step, with its settings', async () => {
    t = testApp();
    const dir = join(t.dataDir, 'trainer-out');
    const shard = (sub: string, i: number, n: number, tensors: Record<string, number[]>) => {
      mkdirSync(join(dir, sub), { recursive: true });
      const file = `model-0000${i}-of-0000${n}.safetensors`;
      writeFileSync(
        join(dir, sub, file),
        encodeSafetensors(Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, { shape: [2, 2], data: Float32Array.from(v) }]))),
      );
      return Object.fromEntries(Object.keys(tensors).map((k) => [k, file]));
    };
    for (const [sub, a, b] of [
      ['checkpoint-100', [1, 0, 0, 0], [0, 0, 0, 0]],
      ['checkpoint-200', [4, 4, 0, 3], [3, 0, 0, 4]],
    ] as const) {
      const map = { ...shard(sub, 1, 2, { 'fc1.weight': [...a] }), ...shard(sub, 2, 2, { 'fc2.weight': [...b] }) };
      writeFileSync(join(dir, sub, 'model.safetensors.index.json'), JSON.stringify({ weight_map: map }));
      writeFileSync(join(dir, sub, 'config.json'), JSON.stringify({ model_type: 'mlp', hidden_size: 2, architectures: ['Net'] }));
    }
    const preview = await t.client.imports.inspect({ path: dir });
    expect(preview.files.map((f) => f.step)).toEqual([100, 200]);
    expect(preview.settings).toEqual({ model_type: 'mlp', hidden_size: 2, architectures: 'Net' });
    const run = await importInto(dir);
    expect(run.status).toBe('imported');
    expect(run.config.settings).toEqual(preview.settings);
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([100, 200]);
    const fro = await final(run.id, 'fro_norm', 'fc2.weight');
    expect(fro.values).toEqual([0, 5]); // both shards' tensors reached the checkpoint
    expect((await final(run.id, 'dist_from_init', 'fc1.weight')).values[1]).toBeCloseTo(Math.sqrt(9 + 16 + 9), 5);
  });

  it('a feature dump gets its METRICS.md metrics at once, matching the independent values', async () => {
    t = testApp();
    const run = await importInto(join(fixtures, 'metrics/mixture_c10.npz'));
    const want = JSON.parse(readFileSync(join(fixtures, 'metrics/mixture_c10.expected.json'), 'utf8'));
    for (const [key, split, expected] of [
      ['kappa', 'train', want.kappa],
      ['nc1', 'train', want.nc1],
      ['kappa', 'test', want.test.kappa],
      ['test_acc', 'test', want.test_acc],
    ] as const) {
      const s = await final(run.id, key, '', split);
      expect(Math.abs(s.values[0] - expected) / Math.abs(expected), `${key} ${split}`).toBeLessThan(1e-6);
    }
  });

  it('never runs code from a pickle, and refuses what it cannot read before creating a run', async () => {
    t = testApp();
    const marker = '/tmp/plateau-pwned'; // what the pickle's os.system call would create (make_fixtures.py)
    rmSync(marker, { force: true });
    const evil = join(fixtures, 'import/evil.pt');
    const refused = {
      code: 'InvalidParams',
      message: expect.stringMatching(/evil\.pt: its pickle calls (posix|os)\.system, which is not data/),
    };
    await expect(t.client.imports.inspect({ path: evil })).rejects.toMatchObject(refused);
    const p = await t.client.projects.create({ name: 'Q' });
    await expect(t.client.imports.start({ projectId: p.id, path: evil })).rejects.toMatchObject(refused);
    expect(existsSync(marker)).toBe(false);
    await expect(t.client.imports.start({ projectId: p.id, path: join(fixtures, 'import/legacy.pt') })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/re-save|torch.save/i),
    });
    await expect(t.client.imports.start({ projectId: p.id, path: join(fixtures, 'import/make_fixtures.py') })).rejects.toMatchObject({
      message: expect.stringMatching(/supported formats/),
    });
    expect(await t.client.runs.list({ projectId: p.id })).toEqual([]);
  });
});
