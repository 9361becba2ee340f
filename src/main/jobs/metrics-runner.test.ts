import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

const at = (s: { steps: number[]; values: number[] }, step: number) => s.values[s.steps.indexOf(step)];

describe('checkpoint metrics jobs', () => {
  it('measure every checkpoint after training, consistent with the training log', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { 'dataset.p': 23, 'model.width': 16, epochs: 30 } });
    await t.app.ctx.jobs.idle();
    const jobs = await t.client.jobs.list({});
    expect(jobs.map((j) => [j.kind, j.state])).toEqual([['metrics', 'succeeded'], ['train', 'succeeded']]);
    const steps = (await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step);
    const keys = ['kappa', 'flatness_bound', 'nc1', 'cdnv', 'train_acc', 'test_loss', 'dist_from_init', 'fro_norm'];
    const series = await t.client.metrics.series({ runIds: [run.id], keys });
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
  });

  it('can be re-run on chosen checkpoints, and refuses a run without any', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({ projectId: p.id, preset: 'grokking-mlp', set: { 'dataset.p': 23, 'model.width': 16, epochs: 5 }, metrics: false });
    await t.app.ctx.jobs.idle();
    expect((await t.client.metrics.series({ runIds: [run.id], keys: ['kappa'] }))).toEqual([]);
    await t.client.metrics.compute({ runId: run.id, checkpoints: 'last' });
    await t.app.ctx.jobs.idle();
    const kappa = await t.client.metrics.series({ runIds: [run.id], keys: ['kappa'], split: 'train' });
    expect(kappa[0].steps).toEqual([5]);
    const other = t.app.ctx.repos.runs.create({ projectId: p.id, name: 'empty', config: {}, status: 'imported' });
    await expect(t.client.metrics.compute({ runId: other.id })).rejects.toMatchObject({ code: 'NotFound' });
  });
});
