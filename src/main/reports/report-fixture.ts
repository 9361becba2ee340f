/** Test fixture: a project of four runs written straight through the repositories (no training), one without checkpoint metrics. */
import type { MetricRow } from '../../shared/jobs/messages';
import type { App } from '../app/create-app';

const config = (seed: number, lr: number) => ({
  dataset: { kind: 'modular', p: 97, op: 'a+b', trainFraction: 0.3, labelNoise: 0, normalize: 'none' },
  model: { kind: 'mlp', hidden: [128], activation: 'relu', bias: true, initScale: 1 },
  optimizer: { kind: 'adamw', lr, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 1 },
  epochs: 4, batchSize: 'full', seed, interventions: [],
});

/** Values chosen to stress exact round trips: non-terminating binary fractions, tiny and huge magnitudes. */
const AWKWARD = [0.1 + 0.2, 1 / 3, 1e-300, 123456789.123456789, Math.PI, 2 ** -1074];

export function seedReportFixture(app: App) {
  const { repos } = app.ctx;
  const project = repos.projects.create('Grok & flat_100%', 'fixture project');
  const names = ['lr_1e-3 & wd', 'lr 50% #2', 'seed~3 {x}', 'no_metrics'];
  const runs = names.map((name, i) => repos.runs.create({
    projectId: project.id, name, preset: 'grokking-mlp', config: config(i, 10 ** -(3 - i * 0.5)), status: 'succeeded', seed: i, backend: 'cpu',
    versions: { tfjs: '4.22.0' },
  }));
  const finals: { kappa: number; gap: number }[] = [];
  runs.forEach((run, r) => {
    const rows: MetricRow[] = [];
    for (let e = 0; e <= 4; e++) {
      const step = e * 10;
      const train = 1 - 0.2 * (4 - e) / (r + 1);
      const test = train - 0.05 * (r + 1) * (4 - e + 1) / 5;
      rows.push(
        { step, epoch: e, split: 'train', key: 'train_loss', value: e === 4 && r === 0 ? AWKWARD[0] : Math.exp(-e) * (r + 1) },
        { step, epoch: e, split: 'test', key: 'test_loss', value: e === 4 && r === 0 ? AWKWARD[3] : Math.exp(-e / 2) * (r + 1) },
        { step, epoch: e, split: 'train', key: 'train_acc', value: e === 0 && r === 1 ? AWKWARD[2] : train },
        { step, epoch: e, split: 'test', key: 'test_acc', value: test },
      );
      if (r < 3) {
        const kappa = e === 4 && r === 1 ? AWKWARD[1] : (r + 1) * (5 - e) * 0.7;
        rows.push(
          { step, epoch: e, split: 'train', key: 'kappa', value: kappa },
          { step, epoch: e, split: 'train', key: 'nc1', value: 0.5 ** e },
          { step, epoch: e, split: 'train', key: 'cdnv', value: e === 4 && r === 0 ? AWKWARD[5] : 0.3 ** e },
          { step, epoch: e, split: 'none', key: 'gap_acc', value: train - test },
          // A per-layer weights metric: not part of the report (layer != '').
          { step, epoch: e, split: 'none', key: 'fro_norm', value: 3, layer: 'dense_1' },
        );
        if (e === 4) finals.push({ kappa, gap: train - test });
      }
    }
    repos.metrics.insertMany(run.id, rows);
  });
  return { project, runs, finals, awkward: AWKWARD };
}
