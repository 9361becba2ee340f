/** Test fixture: a project of four runs written straight through the repositories (no training), one without checkpoint metrics. */
import type { MetricRow } from '../../shared/jobs/messages';
import type { App } from '../app/create-app';

const config = (seed: number, lr: number) => ({
  dataset: { kind: 'modular', p: 97, op: 'a+b', trainFraction: 0.3, labelNoise: 0, normalize: 'none' },
  model: { kind: 'mlp', hidden: [128], activation: 'relu', bias: true, initScale: 1 },
  optimizer: { kind: 'adamw', lr, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 1 },
  epochs: 4,
  batchSize: 'full',
  seed,
  interventions: [],
});

/** Values chosen to stress exact round trips: non-terminating binary fractions, tiny and huge magnitudes. */
const AWKWARD = [0.1 + 0.2, 1 / 3, 1e-300, 123456789.123456789, Math.PI, 2 ** -1074];

export function seedReportFixture(app: App) {
  const { repos } = app.ctx;
  const project = repos.projects.create('Grok & flat_100%', 'fixture project');
  const names = ['lr_1e-3 & wd', 'lr 50% #2', 'seed~3 {x}', 'no_metrics'];
  const runs = names.map((name, i) =>
    repos.runs.create({
      projectId: project.id,
      name,
      preset: 'grokking-mlp',
      config: config(i, 10 ** -(3 - i * 0.5)),
      status: 'succeeded',
      seed: i,
      backend: 'cpu',
      versions: { tfjs: '4.22.0' },
    }),
  );
  const finals: { kappa: number; gap: number }[] = [];
  runs.forEach((run, r) => {
    const rows: MetricRow[] = [];
    for (let e = 0; e <= 4; e++) {
      const step = e * 10;
      const train = 1 - (0.2 * (4 - e)) / (r + 1);
      const test = train - (0.05 * (r + 1) * (4 - e + 1)) / 5;
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

/**
 * Test fixture for seed groups, with final values picked so the statistics are easy by hand:
 * runs 'A s0..s2' share a recipe (test_acc 0.7, 0.8, 0.9; kappa 2 and 4, the third has none),
 * 'B' changes lr and 'C' the preset, so each is a group of one. A's runs have checkpoints.
 */
export function seedGroupFixture(app: App) {
  const { repos } = app.ctx;
  const project = repos.projects.create('Seeds', 'seed groups');
  const make = (name: string, seed: number, lr: number, preset: string, testAcc: number, kappa?: number) => {
    const run = repos.runs.create({
      projectId: project.id,
      name,
      preset,
      config: config(seed, lr),
      status: 'succeeded',
      seed,
      backend: 'cpu',
      versions: { tfjs: '4.22.0' },
    });
    const rows: MetricRow[] = [0, 10].flatMap((step) => [
      { step, epoch: step / 10, split: 'test' as const, key: 'test_acc', value: step ? testAcc : 0.1 },
      { step, epoch: step / 10, split: 'train' as const, key: 'train_loss', value: step ? 0.5 : 2 },
      ...(kappa === undefined ? [] : [{ step, epoch: step / 10, split: 'train' as const, key: 'kappa', value: step ? kappa : 100 }]),
    ]);
    repos.metrics.insertMany(run.id, rows);
    return run;
  };
  const a = [
    make('A s0', 0, 1e-3, 'grokking-mlp', 0.7, 2),
    make('A s1', 1, 1e-3, 'grokking-mlp', 0.8, 4),
    make('A s2', 2, 1e-3, 'grokking-mlp', 0.9),
  ];
  const b = make('B', 0, 1e-2, 'grokking-mlp', 0.75, 5);
  const c = make('C', 1, 1e-3, 'other-preset', 0.6);
  const checkpoints = a.map((r, i) =>
    repos.checkpoints.add({ runId: r.id, step: 10, epoch: 1, file: `ckpt-${r.id}.bin`, bytes: 1000 + i, sha256: String(i).repeat(64) }),
  );
  return { project, a, b, c, checkpoints };
}
