// A Hugging Face series (test/fixtures/hf, written by PyTorch) through the services, as `plateau import`
// and the Import view use them: whole or not at all, and weights-only metrics per layer across checkpoints.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';

const FIX = resolve(__dirname, '../../../test/fixtures/hf');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')).series as Record<
  string,
  Record<string, { shape: number[]; fro_norm?: number; spectral_norm?: number; dist_from_init?: number }>
>;
let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

async function start(path: string) {
  const p = await t.client.projects.create({ name: `P${Math.random()}` });
  return t.client.imports.start({ projectId: p.id, path });
}

describe('a Hugging Face checkpoint series through the services', () => {
  it('imports one checkpoint per step with per-layer rows, and the metrics job measures them again from the stored files', async () => {
    t = testApp();
    const run = await start(join(FIX, 'series'));
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.get({ id: run.id })).status).toBe('imported');
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([10, 20, 30]);
    const check = async () => {
      const series = await t.client.metrics.series({ runIds: [run.id], keys: ['spectral_norm', 'dist_from_init'], split: 'none' });
      for (const [name, w] of Object.entries(expected['30'])) {
        if (w.shape.length !== 2) continue;
        const spectral = series.find((s) => s.key === 'spectral_norm' && s.layer === name)!;
        const dist = series.find((s) => s.key === 'dist_from_init' && s.layer === name)!;
        expect(spectral.steps, name).toEqual([10, 20, 30]);
        expect(spectral.values.map((v, i) => v / expected[String(10 * (i + 1))][name].spectral_norm!)).toEqual(
          [1, 1, 1].map(() => expect.closeTo(1, 5)),
        );
        expect(dist.values[0]).toBe(0);
        expect(dist.values[2] / w.dist_from_init!, name).toBeCloseTo(1, 4);
      }
    };
    await check();
    // The metrics job of an imported language model: weights only, read back one tensor at a time.
    const measured: string[] = [];
    t.client.on('run.metrics', (e) => measured.push(...e.rows.map((r) => `${r.checkpointStep}:${r.key}:${r.layer}`)));
    const job = await t.client.metrics.compute({ runId: run.id, keys: ['spectral_norm', 'dist_from_init'] });
    await t.app.ctx.jobs.idle();
    // every 2-D weight of every checkpoint, the two keys asked for, and nothing for the norms' vectors
    const matrices = Object.entries(expected['10']).filter(([, w]) => w.shape.length === 2).length;
    expect(new Set(measured).size).toBe(3 * 2 * matrices);
    expect(measured.some((m) => m.includes('ln_'))).toBe(false);
    expect(t.app.ctx.repos.jobs.get(job.id).state).toBe('succeeded');
    await check();
    await expect(t.client.metrics.compute({ runId: run.id, keys: ['kappa'] })).rejects.toMatchObject({ code: 'InvalidParams' });
  });

  it('a series that fails part way leaves a failed run with the reason, and no checkpoints, rows or files', async () => {
    t = testApp();
    const dir = join(t.dataDir, 'series');
    cpSync(join(FIX, 'series'), dir, { recursive: true });
    const run = await start(dir);
    // Spoiled after the preview accepted it, before the worker reads it: the last checkpoint's shard is cut short.
    const shard = join(dir, 'checkpoint-30', 'model-00002-of-00002.safetensors');
    writeFileSync(shard, readFileSync(shard).subarray(0, 100));
    await t.app.ctx.jobs.idle();
    const after = await t.client.runs.get({ id: run.id });
    expect(after.status).toBe('failed');
    expect(after.error).toContain(shard);
    expect(await t.client.runs.checkpoints({ id: run.id })).toEqual([]);
    expect(await t.client.metrics.series({ runIds: [run.id], keys: ['fro_norm'], split: 'none' })).toEqual([]);
    const files = join(t.dataDir, 'projects');
    const left = existsSync(files) ? readdirSync(files, { recursive: true }).filter((f) => String(f).endsWith('.safetensors')) : [];
    expect(left).toEqual([]);
  });
});
