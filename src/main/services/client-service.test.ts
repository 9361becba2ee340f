import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../shared/rpc/client';
import { createMemoryTransport } from '../../shared/rpc/memory';
import { createApp } from '../app/create-app';
import { encodeSafetensors } from '../io/safetensors';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

const origin = { host: 'gpu-box', gitCommit: 'abc1234', command: 'python train.py --lr 3e-3', clientVersion: '0.1.0' };
const start = (uid = 'run-uid-0001') =>
  t.client.client.start({ uid, project: 'mine', name: 'mlp', config: { lr: 3e-3 }, tags: ['gpu'], origin });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const weights = (v: number[]) => encodeSafetensors({ 'fc.weight': { shape: [2, 2], data: Float32Array.from(v) } });

/** Uploads `bytes` in chunks of `chunk` bytes, then commits them as the checkpoint at `step`. */
async function upload(runId: number, bytes: Uint8Array, step: number, chunk = 7) {
  const digest = sha(bytes);
  for (let off = 0; off < bytes.length; off += chunk)
    await t.client.client.upload({
      runId,
      sha256: digest,
      offset: off,
      data: Buffer.from(bytes.subarray(off, off + chunk)).toString('base64'),
    });
  return t.client.client.checkpoint({ runId, step, sha256: digest, bytes: bytes.length });
}
const series = async (runId: number, key: string, layer = '') =>
  (await t.client.metrics.series({ runIds: [runId], keys: [key] })).filter((s) => s.layer === layer);

describe('client runs', () => {
  it('one run per client uid, with its origin, settings and tags', async () => {
    t = testApp();
    const a = await start();
    const b = await start();
    expect(a.existed).toBe(false);
    expect(b).toMatchObject({ existed: true, run: { id: a.run.id } });
    expect(a.run).toMatchObject({
      origin: 'client',
      status: 'running',
      tags: ['gpu'],
      config: { client: { uid: 'run-uid-0001', ...origin }, settings: { lr: 3e-3 } },
    });
    expect((await start('run-uid-0002')).run.id).not.toBe(a.run.id);
    expect((await t.client.projects.list({})).map((p) => p.name)).toEqual(['mine']);
  });

  it('a resent batch doubles nothing: one point per (key, split, step), the last value kept', async () => {
    t = testApp();
    const { run } = await start();
    const batch = {
      runId: run.id,
      series: [{ key: 'loss', split: 'train' as const, steps: [0, 1, 2], values: [3, 2, 1], epochs: [0, 0, null] }],
    };
    expect(await t.client.client.log(batch)).toEqual({ stored: 3 });
    await t.client.client.log(batch);
    await t.client.client.log({ runId: run.id, series: [{ key: 'loss', split: 'train', steps: [2, 3], values: [0.5, 0.25] }] });
    const [s] = await series(run.id, 'loss');
    expect(s.steps).toEqual([0, 1, 2, 3]);
    expect(s.values).toEqual([3, 2, 0.5, 0.25]);
  });

  it("keeps summary.last (what the runs table shows) at each shown key's highest step, announced at most once a second", async () => {
    t = testApp();
    const { run } = await start();
    const updates: number[] = [];
    const off = t.app.ctx.bus.subscribe((name, p) => name === 'run.updated' && updates.push((p as { runId: number }).runId));
    const log = (key: string, split: 'train' | 'test', steps: number[], values: number[]) =>
      t.client.client.log({ runId: run.id, series: [{ key, split, steps, values }] });
    await log('train_loss', 'train', [0, 1, 2], [3, 2, 1]);
    await log('test_acc', 'test', [0, 2], [0.25, 0.75]);
    await log('my_own', 'train', [5], [9]); // not a column of the runs table
    expect((await t.client.runs.get({ id: run.id })).summary).toEqual({}); // not yet: batched
    await new Promise((r) => setTimeout(r, 1300));
    expect(updates).toEqual([run.id]); // three batches, one announcement
    expect((await t.client.runs.get({ id: run.id })).summary).toMatchObject({ last: { train_loss: 1, test_acc: 0.75 } });
    await log('train_loss', 'train', [1], [5]); // a late resend of an earlier step: the last value stays
    await log('test_acc', 'test', [3], [0.5]);
    await t.client.client.finish({ runId: run.id, status: 'succeeded' }); // writes what is pending, one event for both
    off();
    expect(updates).toEqual([run.id, run.id]);
    expect((await t.client.runs.get({ id: run.id })).summary).toMatchObject({ last: { train_loss: 1, test_acc: 0.5 } });
  });

  it('refuses bad points by name and logging into a run no client started', async () => {
    t = testApp();
    const { run } = await start();
    await expect(t.client.client.log({ runId: run.id, series: [{ key: 'loss', steps: [0, 1], values: [1] }] })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/same length/),
    });
    await expect(t.client.client.log({ runId: run.id, series: [{ key: 'loss', steps: [-1], values: [1] }] })).rejects.toMatchObject({
      message: expect.stringMatching(/>= 0/),
    });
    const p = await t.client.projects.create({ name: 'other' });
    writeFileSync(join(t.dataDir, 'w.safetensors'), weights([1, 0, 0, 1]));
    const imported = await t.client.imports.start({ projectId: p.id, path: join(t.dataDir, 'w.safetensors') });
    await expect(t.client.client.log({ runId: imported.id, series: [{ key: 'x', steps: [0], values: [1] }] })).rejects.toMatchObject({
      message: expect.stringMatching(/not started by a client \(its origin is imported\)/),
    });
    await t.app.ctx.jobs.idle();
    await expect(t.client.client.log({ runId: 999, series: [{ key: 'x', steps: [0], values: [1] }] })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('a checkpoint uploaded in chunks is verified, stored once and measured: fro_norm and dist_from_init by hand', async () => {
    t = testApp();
    const { run } = await start();
    const w0 = weights([3, 4, 0, 0]);
    const bad = await t.client.client.upload({
      runId: run.id,
      sha256: sha(w0),
      offset: 0,
      data: Buffer.from(w0.subarray(0, 10)).toString('base64'),
    });
    expect(bad.received).toBe(10);
    await expect(t.client.client.checkpoint({ runId: run.id, step: 0, sha256: sha(w0), bytes: w0.length })).rejects.toMatchObject({
      message: expect.stringMatching(/incomplete: 10 of \d+ bytes/),
    });
    expect(await upload(run.id, w0, 0)).toMatchObject({ step: 0, already: false });
    expect(await upload(run.id, w0, 0)).toMatchObject({ already: true, jobId: null });
    const w1 = weights([0, 4, 0, 1]);
    const corrupt = Uint8Array.from(w1);
    corrupt[corrupt.length - 1] ^= 1;
    await t.client.client.upload({ runId: run.id, sha256: sha(w1), offset: 0, data: Buffer.from(corrupt).toString('base64') });
    await expect(t.client.client.checkpoint({ runId: run.id, step: 10, sha256: sha(w1), bytes: w1.length })).rejects.toMatchObject({
      message: expect.stringMatching(/does not match its checksum/),
    });
    await upload(run.id, w1, 10);
    expect((await start()).checkpointSteps).toEqual([0, 10]);
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([0, 10]);
    const [fro] = await series(run.id, 'fro_norm', 'fc.weight');
    expect(fro.steps).toEqual([0, 10]);
    expect(fro.values[0]).toBeCloseTo(5, 6);
    expect(fro.values[1]).toBeCloseTo(Math.sqrt(17), 6);
    const [dist] = await series(run.id, 'dist_from_init', 'fc.weight');
    expect(dist.values[0]).toBeCloseTo(0, 6);
    expect(dist.values[1]).toBeCloseTo(Math.sqrt(9 + 0 + 0 + 1), 6); // ||w1 - w0||
    expect((await t.client.runs.get({ id: run.id })).status).toBe('running'); // measuring does not end the run
    await expect(t.client.metrics.compute({ runId: run.id })).rejects.toMatchObject({
      message: expect.stringMatching(/logged by a client/),
    });
  });

  it('a checkpoint cut off while being measured (the host stopped) is measured when the client or a sync comes back', async () => {
    t = testApp();
    t.app.ctx.jobs.configure({ concurrency: 0 }); // accepted, never started: as if the host died first
    const { run } = await start();
    expect(await upload(run.id, weights([3, 4, 0, 0]), 5)).toMatchObject({ already: false });
    await t.app.close();
    const app = createApp({ dataDir: t.dataDir, host: 'memory', concurrency: 1, threads: 1 });
    const dataDir = t.dataDir;
    const dispose = async () => (await app.close(), rmSync(dataDir, { recursive: true, force: true }));
    t = { app, dataDir, dispose, client: createClient(createMemoryTransport(app.dispatch, app.ctx.bus.subscribe)) };
    expect((await t.client.runs.get({ id: run.id })).status).toBe('interrupted');
    expect(await start()).toMatchObject({ existed: true, checkpointSteps: [5], run: { status: 'running' } });
    await app.ctx.jobs.idle();
    const [fro] = await series(run.id, 'fro_norm', 'fc.weight');
    expect(fro).toMatchObject({ steps: [5], values: [expect.closeTo(5, 6)] });
    expect(await start()).toMatchObject({ checkpointSteps: [5] });
    await app.ctx.jobs.idle();
    expect((await t.client.jobs.list({})).filter((j) => j.kind === 'import').map((j) => j.state)).toEqual(['succeeded', 'interrupted']);
  });

  it('a file that is not safetensors is refused by name; finish sets the status the client reports', async () => {
    t = testApp();
    const { run } = await start();
    const junk = new TextEncoder().encode('definitely not a checkpoint');
    writeFileSync(join(t.dataDir, 'junk'), junk);
    await expect(upload(run.id, junk, 3)).rejects.toMatchObject({ message: expect.stringMatching(/checkpoint at step 3 cannot be read/) });
    const done = await t.client.client.finish({ runId: run.id, status: 'failed', error: 'CUDA out of memory' });
    expect(done).toMatchObject({ status: 'failed', error: 'CUDA out of memory' });
    expect(done.finishedAt).toBeGreaterThan(0);
  });
});
