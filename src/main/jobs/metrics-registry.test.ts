import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { metricInfo } from '../../shared/domain/metrics';
import { loadMetricPlugin } from '../app/plugins';
import { readCheckpoint } from '../io/checkpoint-file';
import { initBackend } from '../ml/backend';
import { makeDataset } from '../ml/data/make-dataset';
import { createRng } from '../ml/data/prng';
import { disposeSplit, splitTensors } from '../ml/data/tensors';
import { datasetHessian, DEFAULT_BATCH_SIZE, selectParams } from '../ml/hessian/operator';
import { layerKappa } from '../ml/hessian/kappa';
import { hessianTopEigs } from '../ml/hessian/spectral';
import { makeModel } from '../ml/models/make-model';
import { loadWeights, type Model } from '../ml/models/model';
import { parseTrainConfig } from '../ml/validate-config';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());
beforeAll(async () => void (await initBackend('wasm', { threads: 1 }))); // the jobs' backend, for the direct calls
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** A small MLP run (one hidden layer, so kappa_layer has a hidden and a last layer), trained without metrics. */
async function smallRun() {
  t = testApp();
  const p = await t.client.projects.create({ name: 'P' });
  const [run] = await t.client.runs.start({
    projectId: p.id,
    preset: 'double-descent',
    metrics: false,
    set: {
      'dataset.classes': 3,
      'dataset.dim': 4,
      'dataset.trainSize': 60,
      'dataset.testSize': 30,
      'dataset.labelNoise': 0,
      'model.hidden': [5],
      epochs: 3,
    },
  });
  await t.app.ctx.jobs.idle();
  return run;
}

/** The run's model with the weights of one checkpoint file, and its training split: what the worker measures. */
async function modelAt(config: unknown, file: string): Promise<{ model: Model; train: ReturnType<typeof splitTensors> }> {
  const c = parseTrainConfig(config);
  const ds = makeDataset(c.dataset, c.seed);
  const model = makeModel(c.model, ds, createRng(c.seed));
  loadWeights(model, (await readCheckpoint(file)).weights);
  return { model, train: splitTensors(ds, ds.train, model.input) };
}

describe('metrics jobs over the registry', () => {
  it('store hessian_top_eigs per index and kappa_layer per layer, equal to direct calls; kappa_layer of the last layer is the closed-form kappa', async () => {
    const run = await smallRun();
    const queued = await t.client.metrics.compute({
      runId: run.id,
      checkpoints: 'last',
      keys: ['kappa', 'hessian_top_eigs', 'kappa_layer'],
      options: { k: 3, seed: 4, layers: ['layers.0', 'layers.1.weight'] },
    });
    await t.app.ctx.jobs.idle();
    const job = (await t.client.jobs.list({})).find((j) => j.id === queued.id)!;
    expect([job.kind, job.state, job.error]).toEqual(['metrics', 'succeeded', null]);
    const series = await t.client.metrics.series({ runIds: [run.id], keys: ['kappa', 'hessian_top_eigs', 'kappa_layer', 'fro_norm'] });
    // only the named keys were computed: no weights-only rows
    expect(series.filter((s) => s.key === 'fro_norm')).toEqual([]);
    const stored = (key: string, layer: string) => series.find((s) => s.key === key && s.layer === layer)!.values;
    expect(series.filter((s) => s.key === 'hessian_top_eigs').map((s) => [s.layer, s.split, s.steps])).toEqual([
      ['1', 'train', [3]],
      ['2', 'train', [3]],
      ['3', 'train', [3]],
    ]);
    expect(series.filter((s) => s.key === 'kappa_layer').map((s) => s.layer)).toEqual(['layers.0.weight', 'layers.1.weight']);
    expect(await t.client.metrics.details({ runId: run.id, key: 'hessian_top_eigs', step: 3, split: 'train', layer: '2' })).toMatchObject({
      index: 2,
      k: 3,
      seed: 4,
      dim: 4 * 5 + 5 + 5 * 3 + 3,
    });

    const last = (await t.client.runs.checkpoints({ id: run.id })).at(-1)!;
    const { model, train } = await modelAt(run.config, last.file);
    try {
      const all = selectParams(model);
      const op = datasetHessian(model, { x: train.x, yOneHot: train.yOneHot! }, all.names, all.params, DEFAULT_BATCH_SIZE);
      const eigs = hessianTopEigs(op, 3, { seed: 4 }).values;
      op.dispose();
      eigs.forEach((v, i) => expect(rel(stored('hessian_top_eigs', String(i + 1))[0], v), `eig ${i + 1}`).toBeLessThan(1e-6));
      for (const name of ['layers.0.weight', 'layers.1.weight']) {
        const w = model.namedWeights()[name];
        const layerOp = datasetHessian(model, { x: train.x, yOneHot: train.yOneHot! }, [name], [w], DEFAULT_BATCH_SIZE);
        const [rows, cols] = w.shape as [number, number];
        const direct = layerKappa(layerOp, { data: w.dataSync(), rows, cols }, { seed: 4 });
        layerOp.dispose();
        expect(direct.exact).toBe(true);
        expect(rel(stored('kappa_layer', name)[0], direct.value), name).toBeLessThan(1e-6);
      }
    } finally {
      disposeSplit(train);
      model.dispose();
    }
    // METRICS.md: the closed form is the oracle of the HVP path (float32 HVPs against float64 sums)
    expect(
      rel(stored('kappa_layer', 'layers.1.weight')[0], series.find((s) => s.key === 'kappa' && s.split === 'train')!.values[0]),
    ).toBeLessThan(1e-4);
  });

  it('list and compute a toy metric added as one plugin file and its registration line', async () => {
    const file = fileURLToPath(new URL('../test/toy-metric.mjs', import.meta.url));
    expect(await loadMetricPlugin(file)).toBe('toy_weight_l1'); // the registration line
    const run = await smallRun();
    expect((await t.client.metrics.keys({})).find((d) => d.key === 'toy_weight_l1')).toMatchObject({
      family: 'weights',
      producer: 'plugin:toy_weight_l1',
      parts: 'model',
    });
    await t.client.metrics.compute({ runId: run.id, checkpoints: 'all', keys: ['toy_weight_l1'] });
    await t.app.ctx.jobs.idle();
    const [s] = await t.client.metrics.series({ runIds: [run.id], keys: ['toy_weight_l1'] });
    const checkpoints = await t.client.runs.checkpoints({ id: run.id });
    expect(s.steps).toEqual(checkpoints.map((c) => c.step));
    // independent route: the checkpoint files, summed here
    for (const c of checkpoints) {
      const { weights } = await readCheckpoint(c.file);
      const sum = Object.values(weights).reduce((acc, w) => acc + w.data.reduce((a, x) => a + Math.abs(x), 0), 0);
      expect(rel(s.values[s.steps.indexOf(c.step)], sum)).toBeLessThan(1e-12);
    }
    expect(metricInfo('toy_weight_l1')!.run).toBe('default'); // so a job naming no keys computes it too
  });

  it('refuse an unknown key before queuing, and fail a job naming a layer the model lacks with that name', async () => {
    const run = await smallRun();
    await expect(t.client.metrics.compute({ runId: run.id, keys: ['kapa'] })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/unknown metric 'kapa'/),
    });
    const queued = await t.client.metrics.compute({
      runId: run.id,
      checkpoints: 'last',
      keys: ['kappa_layer'],
      options: { layers: ['layers.7'] },
    });
    await t.app.ctx.jobs.idle();
    const job = (await t.client.jobs.list({})).find((j) => j.id === queued.id)!;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/layers\.7/);
  });
});
