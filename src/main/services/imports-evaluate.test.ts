import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataset } from '../ml/data/make-dataset';
import { computeSplitMetrics } from '../ml/metrics/closed-form';
import { testApp } from '../test/test-app';

const fixtures = resolve(__dirname, '../../../test/fixtures/import');
let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

describe('evaluating an imported nn.Sequential MLP on a dataset', () => {
  it("computes the full metric set, matching features built by hand from torch's own weights", async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const run = await t.client.imports.start({ projectId: p.id, path: join(fixtures, 'mlp_state.pt') });
    await t.app.ctx.jobs.idle();
    const dataset = { kind: 'gaussian-mixture', classes: 3, dim: 4, separation: 2, trainSize: 300, testSize: 100 };
    await t.client.imports.evaluate({ runId: run.id, dataset, activation: 'relu' });
    await t.app.ctx.jobs.idle();
    const got = await t.client.metrics.series({ runIds: [run.id], keys: ['kappa', 'nc1', 'train_acc'], split: 'train' });
    const value = (k: string) => got.find((s) => s.key === k && s.layer === '')!.values[0];

    // Independent route: phi = relu(x W0^T + b0) in float64 from the values torch printed, then the closed form.
    const w = JSON.parse(readFileSync(join(fixtures, 'mlp_state.expected.json'), 'utf8')).tensors as Record<string, { values: number[] }>;
    const ds = makeDataset(
      { kind: 'gaussian-mixture', classes: 3, dim: 4, separation: 2, trainSize: 300, testSize: 100, labelNoise: 0, normalize: 'none' },
      0,
    );
    const n = ds.train.n;
    const phi = new Float64Array(n * 8);
    for (let i = 0; i < n; i++) {
      for (let h = 0; h < 8; h++) {
        let z = w['0.bias'].values[h];
        for (let j = 0; j < 4; j++) z += w['0.weight'].values[h * 4 + j] * ds.train.inputs[i * 4 + j];
        phi[i * 8 + h] = Math.max(0, z);
      }
    }
    const want = computeSplitMetrics(
      { features: phi, labels: ds.train.labels, n, m: 8 },
      { weight: Float64Array.from(w['2.weight'].values), bias: Float64Array.from(w['2.bias'].values), C: 3, m: 8 },
    ).values;
    for (const k of ['kappa', 'nc1']) expect(Math.abs(value(k) - want[k]) / Math.abs(want[k]), k).toBeLessThan(1e-4);
  });

  it('stores the settings the file states and never defaults; evaluation keeps one row per layer and a final accuracy', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const run = await t.client.imports.start({ projectId: p.id, path: join(fixtures, 'train_ckpt.pt') });
    await t.app.ctx.jobs.idle();
    // make_fixtures.py: SGD(lr=0.1, momentum=0.9, weight_decay=1e-4), saved with 'epoch': 3
    const stated = { optimizer: { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false }, epoch: 3 };
    expect((await t.client.runs.get({ id: run.id })).config).toEqual({
      source: join(fixtures, 'train_ckpt.pt'),
      format: 'torch',
      fromFile: stated,
    });
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => [c.step, c.epoch])).toEqual([[3, 3]]);

    await t.client.imports.evaluate({
      runId: run.id,
      dataset: { kind: 'gaussian-mixture', classes: 3, dim: 4, trainSize: 60, testSize: 40 },
      activation: 'relu',
    });
    await t.app.ctx.jobs.idle();
    const done = await t.client.runs.get({ id: run.id });
    expect(Object.keys(done.config).sort()).toEqual(['dataset', 'evaluatedFrom', 'format', 'fromFile', 'model', 'source']);
    expect(done.config.fromFile).toEqual(stated);
    expect(done.config.model).toEqual({ kind: 'mlp', hidden: [8], activation: 'relu', bias: true, initScale: 1 });

    const norms = await t.client.metrics.series({ runIds: [run.id], keys: ['fro_norm'] });
    expect(norms.map((s) => s.layer).sort()).toEqual(['', 'layers.0.weight', 'layers.1.weight']);
    const acc = await t.client.metrics.series({ runIds: [run.id], keys: ['train_acc', 'test_acc'] });
    const at = (k: string) => acc.find((s) => s.key === k && s.layer === '')!;
    expect(at('train_acc').steps).toEqual([3]);
    expect((done.summary as { last: Record<string, number> }).last).toMatchObject({
      train_acc: at('train_acc').values[0],
      test_acc: at('test_acc').values[0],
    });
  });

  it('says plainly when the weights fit no built-in architecture or the dataset does not fit them', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const views = await t.client.imports.start({ projectId: p.id, path: join(fixtures, 'views.pt') });
    await t.app.ctx.jobs.idle();
    await expect(t.client.imports.evaluate({ runId: views.id, dataset: { kind: 'gaussian-mixture' } })).rejects.toMatchObject({
      message: expect.stringMatching(/do not match a built-in architecture/),
    });
    const mlp = await t.client.imports.start({ projectId: p.id, path: join(fixtures, 'mlp_state.pt') });
    await t.app.ctx.jobs.idle();
    await expect(
      t.client.imports.evaluate({ runId: mlp.id, dataset: { kind: 'gaussian-mixture', clases: 3, dim: 4 } }),
    ).rejects.toMatchObject({
      message: "dataset.clases is not a setting of dataset kind 'gaussian-mixture'. Did you mean dataset.classes?",
    });
    await t.client.imports.evaluate({ runId: mlp.id, dataset: { kind: 'gaussian-mixture', classes: 3, dim: 16 } });
    await t.app.ctx.jobs.idle();
    const job = (await t.client.jobs.list({})).find((j) => j.kind === 'metrics')!;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/layers\.0\.weight.*4.*16|16.*4/);
  });
});
