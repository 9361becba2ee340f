import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

const at = (s: { steps: number[]; values: number[] }, step: number) => s.values[s.steps.indexOf(step)];

describe('checkpoint metrics jobs', () => {
  it('measure every checkpoint as training writes it, as a metrics job on the files does, consistent with the training log', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const live: number[] = [];
    t.client.on('run.metrics', (e) => e.rows.some((r) => r.key === 'kappa') && live.push(e.rows[0].step));
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { 'dataset.p': 23, 'model.width': 16, epochs: 30 },
    });
    await t.app.ctx.jobs.idle();
    // measured inside the training job, checkpoint by checkpoint: no metrics job follows
    expect((await t.client.jobs.list({})).map((j) => [j.kind, j.state])).toEqual([['train', 'succeeded']]);
    const steps = (await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step);
    expect(live).toEqual(steps);
    const keys = ['kappa', 'flatness_bound', 'nc1', 'cdnv', 'train_acc', 'test_loss', 'dist_from_init', 'fro_norm'];
    const series = await t.client.metrics.series({ runIds: [run.id], keys });
    // the same values from the checkpoint files, by the metrics job (an independent route: files, a fresh model)
    await t.client.metrics.compute({ runId: run.id, checkpoints: 'all' });
    await t.app.ctx.jobs.idle();
    const again = await t.client.metrics.series({ runIds: [run.id], keys });
    for (const key of ['kappa', 'nc1', 'dist_from_init']) {
      const a = series.find((s) => s.key === key && s.split !== 'test')!;
      const b = again.find((s) => s.key === key && s.split === a.split && s.layer === a.layer)!;
      expect(b.steps).toEqual(a.steps);
      b.values.forEach((v, i) => expect(v).toBeCloseTo(a.values[i], 6));
    }
    const get = (key: string, split: string, layer = '') => series.find((s) => s.key === key && s.split === split && s.layer === layer)!;

    // The training loop's accuracy (per epoch, its own evaluation) and the metrics job's (from checkpoint features) agree.
    const last = steps.at(-1)!;
    const logAcc = get('train_acc', 'train').values.at(-1)!;
    expect(at(get('train_acc', 'train'), last)).toBeCloseTo(logAcc, 6);
    for (const s of steps) {
      expect(at(get('kappa', 'train'), s)).toBeLessThanOrEqual(at(get('flatness_bound', 'train'), s) * (1 + 1e-9));
      expect(at(get('kappa', 'test'), s)).toBeGreaterThan(0);
      expect(Number.isFinite(at(get('nc1', 'train'), s))).toBe(true);
    }
    // Weights-only: every 2-D weight gets its own rows; the last layer's norm appears both ways.
    expect(at(get('dist_from_init', 'none', 'out.weight'), 0)).toBe(0);
    expect(at(get('dist_from_init', 'none', 'out.weight'), last)).toBeGreaterThan(0);
    expect(at(get('fro_norm', 'none', 'out.weight'), last)).toBeCloseTo(at(get('fro_norm', 'none'), last), 6);
    expect(series.some((s) => s.layer === 'embed_a.weight')).toBe(true);
    const coverage = await t.client.metrics.coverage({ runId: run.id });
    expect(coverage.map((c) => c.step)).toEqual(steps);
    expect(coverage[0].keys).toEqual(expect.arrayContaining(['kappa', 'nc1', 'cdnv', 'fro_norm', 'test_acc']));
    // nc1 carries the class-mean geometry: one point per class present in the training split.
    const geo = (await t.client.metrics.details({ runId: run.id, key: 'nc1', step: last, split: 'train' })) as {
      geometry: { classes: number[]; points: number[][] };
    };
    expect(geo.geometry.points).toHaveLength(geo.geometry.classes.length);
    expect(geo.geometry.classes.length).toBeGreaterThan(1);
  });

  it('can be re-run on chosen checkpoints, and refuses a run without any', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { 'dataset.p': 23, 'model.width': 16, epochs: 5 },
      metrics: false,
    });
    await t.app.ctx.jobs.idle();
    expect(await t.client.metrics.series({ runIds: [run.id], keys: ['kappa'] })).toEqual([]);
    await t.client.metrics.compute({ runId: run.id, checkpoints: 'last' });
    await t.app.ctx.jobs.idle();
    const kappa = await t.client.metrics.series({ runIds: [run.id], keys: ['kappa'], split: 'train' });
    expect(kappa[0].steps).toEqual([5]);
    const other = t.app.ctx.repos.runs.create({ projectId: p.id, name: 'empty', config: {}, status: 'imported' });
    await expect(t.client.metrics.compute({ runId: other.id })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('Hessian metrics jobs', () => {
  it('store top eigenvalue, Hutchinson trace and spectral density with how they were computed', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { 'dataset.p': 11, 'model.width': 8, epochs: 5 },
      metrics: false,
    });
    await t.app.ctx.jobs.idle();
    await t.client.metrics.compute({ runId: run.id, checkpoints: 'last', hessian: true });
    await t.app.ctx.jobs.idle();
    const series = await t.client.metrics.series({ runIds: [run.id], keys: ['hessian_top_eig', 'hessian_trace_hutch', 'hessian_esd'] });
    const v = (k: string) => series.find((s) => s.key === k)!.values[0];
    // Two independent routes to the largest eigenvalue (power iteration, Lanczos) agree.
    expect(Math.abs(v('hessian_esd') - v('hessian_top_eig')) / Math.abs(v('hessian_top_eig'))).toBeLessThan(0.05);
    expect(Number.isFinite(v('hessian_trace_hutch'))).toBe(true);
    expect(await t.client.metrics.details({ runId: run.id, key: 'hessian_trace_hutch', step: 5, split: 'train' })).toMatchObject({
      seed: 0,
      stderr: expect.any(Number),
    });
    const d = await t.client.metrics.details({ runId: run.id, key: 'hessian_top_eig', step: 5, split: 'train' });
    expect(d).toMatchObject({ seed: 0, converged: true, dim: 3 * 11 * 8 });
    const esd = (await t.client.metrics.details({ runId: run.id, key: 'hessian_esd', step: 5, split: 'train' })) as {
      grid: number[];
      density: number[];
    };
    const dx = esd.grid[1] - esd.grid[0];
    expect(esd.density.reduce((a, b) => a + b, 0) * dx).toBeCloseTo(1, 1);
  });
});
