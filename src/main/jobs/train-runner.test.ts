import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDir } from '../app/paths';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';
import { PRESETS } from '../../shared/domain/presets';

/** Training through the contract, in real worker threads (the built train.worker.js). */
let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

const small = { 'dataset.p': 23, 'model.width': 16, epochs: 4, 'checkpoints.perDecade': 2 };

describe('training jobs', () => {
  it('trains a run, storing per-epoch metrics and atomic, hashed checkpoints', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const progress: number[] = [];
    t.client.on('job.progress', (e) => progress.push(e.fraction));
    const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: small, metrics: false });
    expect(run).toMatchObject({ status: 'queued', preset: 'grokking-mlp', seed: 0, name: 'grokking-mlp s0' });
    await t.app.ctx.jobs.idle();
    const done = await t.client.runs.get({ id: run.id });
    expect(done).toMatchObject({ status: 'succeeded', backend: 'wasm', error: null });
    expect(done.versions.tfjs).toBe('4.22.0');
    expect(done.summary).toMatchObject({ status: 'succeeded', epochs: 4, steps: 4 });
    expect(progress.at(-1)).toBe(1);

    const series = await t.client.metrics.series({ runIds: [run.id], keys: ['train_loss', 'test_acc'] });
    const loss = series.find((s) => s.key === 'train_loss')!;
    expect(loss).toMatchObject({ split: 'train', steps: [1, 2, 3, 4], epochs: [1, 2, 3, 4] });
    expect(loss.values.every(Number.isFinite)).toBe(true);
    expect(series.find((s) => s.key === 'test_acc')!.split).toBe('test');

    const ckpts = await t.client.runs.checkpoints({ id: run.id });
    expect(ckpts.map((c) => c.step)).toEqual(expect.arrayContaining([0, 4]));
    for (const c of ckpts) {
      expect(existsSync(c.file)).toBe(true);
      expect(c.sha256).toBe(createHash('sha256').update(readFileSync(c.file)).digest('hex'));
    }
  });

  it('same seed, same backend: identical loss curves; seeds make one run each', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    t.app.ctx.jobs.concurrency = 2;
    const runs = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: small, seeds: [7, 7, 8] });
    expect(runs.map((r) => r.seed)).toEqual([7, 7, 8]);
    await t.app.ctx.jobs.idle();
    const [a, b, c] = await Promise.all(runs.map((r) => t.client.metrics.series({ runIds: [r.id], keys: ['train_loss'] })));
    expect(a[0].values).toEqual(b[0].values);
    expect(a[0].values).not.toEqual(c[0].values);
  });

  it('a child process (how native backends run) trains exactly like a worker thread', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const runIn = async (isolation: string) => {
      process.env.PLATEAU_WORKER_ISOLATION = isolation;
      try {
        const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: small, metrics: false });
        await t.app.ctx.jobs.idle();
        expect((await t.client.runs.get({ id: run.id })).status).toBe('succeeded');
        return (await t.client.metrics.series({ runIds: [run.id], keys: ['train_loss'] }))[0].values;
      } finally {
        delete process.env.PLATEAU_WORKER_ISOLATION;
      }
    };
    expect(await runIn('process')).toEqual(await runIn('thread'));
  });

  /** A small grokking run's losses and the versions it recorded; `blas: false` keeps the system BLAS out. */
  const curve = async (threads: number, blas: boolean) => {
    if (!blas) process.env.PLATEAU_BLAS = 'off'; // workers copy the environment when they start
    try {
      t = testApp({ threads });
      const p = await t.client.projects.create({ name: 'P' });
      const [run] = await t.client.runs.start({
        projectId: p.id,
        preset: 'grokking-mlp',
        set: { ...small, 'model.width': 64 },
        metrics: false,
      });
      await t.app.ctx.jobs.idle();
      const done = await t.client.runs.get({ id: run.id });
      expect(done).toMatchObject({ status: 'succeeded', backend: 'wasm' });
      const values = (await t.client.metrics.series({ runIds: [run.id], keys: ['train_loss'] }))[0].values;
      await t.dispose();
      return { versions: done.versions, values };
    } finally {
      delete process.env.PLATEAU_BLAS;
    }
  };

  it('multi-threaded wasm (no BLAS) trains exactly like one thread, and the run records its threads', async () => {
    const one = await curve(1, false);
    const two = await curve(2, false);
    expect(two.versions).toMatchObject({ threads: '2' });
    expect(two.versions.blas).toBeUndefined();
    expect(two.values).toEqual(one.values);
  });

  it("with the system BLAS the same run trains to float tolerance of wasm's own kernels, and records the BLAS", async (ctx) => {
    const withBlas = await curve(2, true);
    if (!withBlas.versions.blas) return ctx.skip('no system BLAS here (install libopenblas0-pthread)');
    const own = await curve(1, false);
    withBlas.values.forEach((v, i) => expect(v).toBeCloseTo(own.values[i], 5));
  });

  it('a run can be forced onto a backend, and records the one it used', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { ...small, epochs: 2 },
      backend: 'cpu',
      metrics: false,
    });
    await t.app.ctx.jobs.idle();
    expect(await t.client.runs.get({ id: run.id })).toMatchObject({ status: 'succeeded', backend: 'cpu' });
    await expect(t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', backend: 'cuda' as never })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/backend: must be one of/),
    });
  });

  it('a run forced onto webgpu trains there (a child process) and its metrics job runs on a synchronous backend', async (ctx) => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { ...small, epochs: 3 }, backend: 'webgpu' });
    await t.app.ctx.jobs.idle();
    const done = await t.client.runs.get({ id: run.id });
    if (done.backend !== 'webgpu') return ctx.skip(`no WebGPU adapter here (the run fell back to ${done.backend})`);
    expect(done.status).toBe('succeeded');
    expect((await t.client.jobs.list({})).map((j) => [j.kind, j.state])).toEqual(
      expect.arrayContaining([
        ['train', 'succeeded'],
        ['metrics', 'succeeded'],
      ]),
    );
    const kappa = await t.client.metrics.series({ runIds: [run.id], keys: ['kappa'] });
    expect(kappa[0]?.values.length).toBeGreaterThan(0);
  }, 120_000);

  it("an intervention's term is stored per epoch while it is active, beside the losses", async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-anti-collapse',
      set: { ...small, epochs: 5, 'interventions.0.toEpoch': 3 },
      metrics: false,
    });
    await t.app.ctx.jobs.idle();
    const [term] = await t.client.metrics.series({ runIds: [run.id], keys: ['intervention_anti_collapse'] });
    expect(term).toMatchObject({ split: 'train', epochs: [1, 2, 3] });
    expect(term.values.every((v) => Number.isFinite(v) && v > 0)).toBe(true); // a CDNV: positive
  });

  it("a term placed on every block of a GPT is stored per log, its sum and each layer's part", async () => {
    t = testApp();
    const dir = mkdtempSync(join(tmpdir(), 'placed-'));
    const text = join(dir, 'corpus.txt');
    writeFileSync(text, Array.from({ length: 12 }, (_, i) => 'the cat sat on a mat '.repeat(4) + i).join('\n\n'));
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      config: {
        dataset: { kind: 'text', path: text, documents: 'paragraph', contextLength: 16 },
        model: { kind: 'gpt', layers: 2, dModel: 16, heads: 2 },
        optimizer: { kind: 'adamw', lr: 1e-2 },
        batchSize: 8,
        epochs: 1,
        logEverySteps: 2,
        evalRows: 8,
        interventions: [{ kind: 'fam', lambda: 1, placement: 'all', fromStep: 3 }],
      },
      metrics: false,
    });
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.get({ id: run.id })).status).toBe('succeeded');
    const series = await t.client.metrics.series({ runIds: [run.id], keys: ['intervention_fam'] });
    const byLayer = Object.fromEntries(series.map((s) => [s.layer, s]));
    expect(Object.keys(byLayer).sort()).toEqual(['', 'head', 'transformer.h.0.mlp.c_proj.weight', 'transformer.h.1.mlp.c_proj.weight']);
    const total = byLayer[''];
    expect(total.split).toBe('train');
    expect(total.steps[0]).toBe(4); // the window starts at step 3: the log at step 2 has no term
    total.steps.forEach((step, i) => {
      const parts = series.filter((s) => s.layer !== '').map((s) => s.values[s.steps.indexOf(step)]);
      expect(Math.abs(parts.reduce((a, b) => a + b, 0) - total.values[i])).toBeLessThan(1e-6 * total.values[i]);
    });
  });

  it('a NaN loss ends the run as diverged, keeping its metrics', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { ...small, 'optimizer.lr': 1e30, epochs: 20 },
    });
    await t.app.ctx.jobs.idle();
    const done = await t.client.runs.get({ id: run.id });
    expect(done.status).toBe('diverged');
    expect(done.error).toMatch(/^Diverged: .*not finite|^Diverged: .*NaN|^Diverged: /);
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toContain(0);
  });

  it('cancel midway leaves a consistent, cancelled run with its partial data', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { ...small, epochs: 100000 } });
    await new Promise<void>((resolve) => {
      const off = t.client.on('job.progress', (e) => {
        if (e.values && e.values.epoch >= 5) {
          off();
          resolve();
        }
      });
    });
    await t.client.runs.cancel({ id: run.id });
    await t.app.ctx.jobs.idle();
    const done = await t.client.runs.get({ id: run.id });
    expect(done.status).toBe('cancelled');
    const loss = (await t.client.metrics.series({ runIds: [run.id], keys: ['train_loss'] }))[0];
    expect(loss.values.length).toBeGreaterThanOrEqual(5);
    const last = (await t.client.runs.checkpoints({ id: run.id })).at(-1)!;
    expect(last.step).toBeGreaterThanOrEqual(5); // a cancelled run saves where it stopped
    expect((await t.client.jobs.list({})).find((j) => j.kind === 'train')!.state).toBe('cancelled');
  });

  it('a cancelled run resumes from its last checkpoint and ends where an uninterrupted run ends', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const set = { ...small, epochs: 400 };
    const [whole] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set, metrics: false });
    await t.app.ctx.jobs.idle();
    const [cut] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set, metrics: false });
    await new Promise<void>((resolve) => {
      const off = t.client.on('job.progress', (e) => {
        if (e.runId === cut.id && e.values && e.values.epoch >= 20) {
          off();
          resolve();
        }
      });
    });
    await t.client.runs.cancel({ id: cut.id });
    await t.app.ctx.jobs.idle();
    const stoppedAt = (await t.client.runs.checkpoints({ id: cut.id })).at(-1)!.step;
    expect(stoppedAt).toBeLessThan(400);
    expect((await t.client.runs.resume({ id: cut.id })).status).toBe('queued');
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.get({ id: cut.id })).status).toBe('succeeded');
    const [a, b] = await Promise.all([whole, cut].map((r) => t.client.metrics.series({ runIds: [r.id], keys: ['train_loss'] })));
    expect(b[0].steps).toEqual(a[0].steps);
    b[0].values.forEach((v, i) => expect(Math.abs(v - a[0].values[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(a[0].values[i]))));
    await expect(t.client.runs.resume({ id: cut.id })).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('a run stopped before its first checkpoint starts over on resume, and ends where an uninterrupted run ends', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const set = { 'dataset.p': 23, 'model.width': 16, epochs: 200, checkpoints: { firstAndLast: false } }; // no checkpoint at all
    const [whole] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set, metrics: false });
    await t.app.ctx.jobs.idle();
    const [cut] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set, metrics: false });
    await new Promise<void>((resolve) => {
      const off = t.client.on('job.progress', (e) => {
        if (e.runId === cut.id && e.values && e.values.epoch >= 10) {
          off();
          resolve();
        }
      });
    });
    await t.client.runs.cancel({ id: cut.id });
    await t.app.ctx.jobs.idle();
    expect(await t.client.runs.checkpoints({ id: cut.id })).toEqual([]);
    expect((await t.client.runs.resume({ id: cut.id })).status).toBe('queued');
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.get({ id: cut.id })).status).toBe('succeeded');
    const [a, b] = await Promise.all([whole, cut].map((r) => t.client.metrics.series({ runIds: [r.id], keys: ['train_loss'] })));
    expect(b[0].steps).toEqual(a[0].steps);
    expect(b[0].values).toEqual(a[0].values); // same seed, same backend, from scratch: identical
  });

  it('a full disk while writing a checkpoint fails the run with that reason, earlier checkpoints intact', async (ctx) => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    // A real full disk: a 48 KB tmpfs where this run's checkpoints go (needs root, as in CI; skipped otherwise).
    const dir = join(runDir(t.dataDir, p.id, 1), 'checkpoints');
    mkdirSync(dir, { recursive: true });
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', dir]).status !== 0) ctx.skip();
    try {
      const [run] = await t.client.runs.start({
        projectId: p.id,
        preset: 'grokking-mlp',
        set: { ...small, epochs: 3000, 'checkpoints.perDecade': 40 },
        metrics: false,
      });
      expect(run.id).toBe(1);
      await t.app.ctx.jobs.idle();
      const done = await t.client.runs.get({ id: run.id });
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/Could not write checkpoint .*: the disk is full\. Earlier checkpoints are intact\./);
      const ckpts = await t.client.runs.checkpoints({ id: run.id });
      expect(ckpts.length).toBeGreaterThan(0);
      for (const c of ckpts) expect(createHash('sha256').update(readFileSync(c.file)).digest('hex')).toBe(c.sha256);
      expect(readdirSync(dir).filter((f) => f.includes('plateau-tmp'))).toEqual([]);
    } finally {
      spawnSync('umount', [dir]);
    }
  });

  it('rejects invalid hyperparameters naming the field and range', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    await expect(t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { 'optimizer.lr': -1 } })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/optimizer\.lr.*> 0/),
    });
    await expect(
      t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { 'dataset.trainFraction': 1.5 } }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/dataset\.trainFraction.*\(0, 1\)/) });
    await expect(t.client.runs.start({ projectId: p.id, preset: 'nope' })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/no preset 'nope'/),
    });
    expect(await t.client.runs.list({ projectId: p.id })).toEqual([]);
  });

  it('refuses unknown settings by name, in overrides and in a whole config, instead of training on the defaults', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    await expect(
      t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { 'optimizer.learning_rate': 1e-3 } }),
    ).rejects.toMatchObject({
      code: 'InvalidParams',
      message: "optimizer.learning_rate is not a setting of optimizer kind 'adamw'. Did you mean optimizer.lr?",
    });
    await expect(t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { 'model.widht': 64 } })).rejects.toMatchObject({
      message: "model.widht is not a setting of model kind 'quadratic-mlp'. Did you mean model.width?",
    });
    await expect(t.client.runs.start({ projectId: p.id, preset: 'double-descent', set: { 'model.width': 64 } })).rejects.toMatchObject({
      message: expect.stringMatching(
        /^model\.width is not a setting of model kind 'mlp' \(only of 'quadratic-mlp'\)\. Settings of model kind 'mlp': kind, hidden, /,
      ),
    });
    const config = { ...PRESETS['grokking-mlp'].config, epochs: 2, optimiser: { kind: 'sgd', lr: 0.1 } };
    await expect(t.client.runs.start({ projectId: p.id, config })).rejects.toMatchObject({
      message: 'optimiser is not a setting of the training config. Did you mean optimizer?',
    });
    expect(await t.client.runs.list({ projectId: p.id })).toEqual([]);
    // a kind change keeps the settings the new kind shares (lr) and drops the others (beta1, beta2)
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { 'optimizer.kind': 'sgd', epochs: 1 },
      metrics: false,
    });
    expect(run.config.optimizer).toEqual({ kind: 'sgd', lr: 1e-2, momentum: 0, nesterov: false, weightDecay: 1 });
    await t.app.ctx.jobs.idle();
  });
});

describe('pause and resume', () => {
  it('reach the running worker through the job manager: a paused run logs no epoch until resumed, then finishes', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { ...small, epochs: 3000 }, metrics: false });
    const epochs = async () => (await t.client.metrics.series({ runIds: [run.id], keys: ['train_loss'] }))[0]?.steps.length ?? 0;
    while ((await epochs()) < 5) await new Promise((r) => setTimeout(r, 50));
    expect(await t.client.runs.pause({ id: run.id })).toMatchObject({ status: 'paused' });
    await new Promise((r) => setTimeout(r, 500)); // the epoch in flight lands
    const held = await epochs();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await epochs()).toBe(held);
    expect(held).toBeLessThan(3000);
    expect(await t.client.runs.resume({ id: run.id })).toMatchObject({ status: 'running' });
    await t.app.ctx.jobs.idle();
    expect(await t.client.runs.get({ id: run.id })).toMatchObject({ status: 'succeeded' });
    expect(await epochs()).toBe(3000);
    await expect(t.client.runs.pause({ id: run.id })).rejects.toMatchObject({ code: 'Conflict' }); // finished
  }, 120_000);
});
