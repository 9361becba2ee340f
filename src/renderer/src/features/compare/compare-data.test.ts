import { describe, expect, it } from 'vitest';
import { metricInfo } from '../../../../shared/domain/metrics';
import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { buildPanels, choiceValue, finalValues, hyperparameterChoices, metricChoices, scatterData } from './compare-data';

const run = (id: number, seed: number, lr = 0.01, status: Run['status'] = 'succeeded'): Run => ({
  id,
  projectId: 1,
  name: `grok s${seed}`,
  preset: 'grokking-mlp',
  config: { seed, optimizer: { lr } },
  status,
  seed,
  backend: 'wasm',
  versions: {},
  origin: 'local',
  tags: [],
  error: null,
  summary: {},
  createdAt: 0,
  startedAt: 0,
  finishedAt: 0,
  notes: '',
});
const series = (runId: number, key: string, split: 'train' | 'test' | 'none', values: number[], layer = ''): MetricSeries => ({
  runId,
  key,
  split,
  layer,
  steps: values.map((_, i) => i * 10),
  epochs: values.map((_, i) => i),
  values,
});
/** The registry's descriptors of these keys (what metrics.keys serves). */
const reg = (...keys: string[]) => keys.map((k) => metricInfo(k)!);

describe('compare data', () => {
  it('offers per-split metrics on both splits, the others on their own, then the intervention terms', () => {
    const c = metricChoices(reg('kappa', 'test_acc', 'gap_acc', 'fro_norm'));
    expect(c.map((x) => x.value)).toEqual([
      'kappa|train',
      'kappa|test',
      'test_acc|test',
      'gap_acc|none',
      'fro_norm|none',
      'intervention_fam|train',
      'intervention_anti_flatness|train',
      'intervention_anti_collapse|train',
      'intervention_fam|train|layers',
      'intervention_anti_flatness|train|layers',
      'intervention_anti_collapse|train|layers',
    ]);
  });

  it("draws a placed term's sum, or one line per placed layer", () => {
    const all = [
      series(1, 'intervention_fam', 'train', [3, 2]),
      series(1, 'intervention_fam', 'train', [1, 0.5], 'transformer.h.0.mlp.c_proj.weight'),
      series(1, 'intervention_fam', 'train', [2, 1.5], 'head'),
    ];
    const terms = metricChoices(reg()).filter((c) => c.key === 'intervention_fam');
    const [sum, perLayer] = buildPanels(all, [run(1, 0)], terms, { x: 'step', group: false });
    expect(sum.series).toEqual([{ name: '1 grok s0', x: [0, 10], y: [3, 2] }]);
    expect(perLayer.series.map((s) => [s.name, s.y])).toEqual([
      ['1 grok s0 [head]', [2, 1.5]],
      ['1 grok s0 [transformer.h.0.mlp.c_proj.weight]', [1, 0.5]],
    ]);
  });

  it('draws one line per run, or a mean with a std band per seed group', () => {
    const runs = [run(1, 0), run(2, 1), run(3, 0, 0.1)];
    const all = [series(1, 'kappa', 'train', [1, 3]), series(2, 'kappa', 'train', [3, 5]), series(3, 'kappa', 'train', [7, 7])];
    const [choice] = metricChoices(reg('kappa'));
    const single = buildPanels(all, runs, [choice], { x: 'epoch', group: false });
    expect(single[0].series.map((s) => s.name)).toEqual(['1 grok s0', '2 grok s1', '3 grok s0']);
    const grouped = buildPanels(all, runs, [choice], { x: 'step', group: true });
    expect(grouped[0].series).toEqual([
      { name: 'grok (2 seeds)', x: [0, 10], y: [2, 4] },
      { name: '3 grok s0', x: [0, 10], y: [7, 7] },
    ]);
    expect(grouped[0].bands!['grok (2 seeds)']).toEqual({ lower: [1, 3], upper: [3, 5] });
  });

  it('takes the last measured value of each run', () => {
    const runs = [run(1, 0), run(2, 1)];
    const all = [series(1, 'test_acc', 'test', [0.1, 0.9]), series(2, 'test_acc', 'train', [0.5])];
    const c = metricChoices(reg('test_acc'))[0];
    expect(c.value).toBe(choiceValue('test_acc', 'test'));
    expect([...finalValues(all, runs, c)]).toEqual([[1, 0.9]]);
  });

  it('offers varying numeric settings as axes and reads them from the configs (double descent: error vs width)', () => {
    const runs = [run(1, 0, 0.01), run(2, 0, 0.1)];
    const [lr] = hyperparameterChoices(runs);
    expect(lr).toMatchObject({ value: 'hp:optimizer.lr', label: 'optimizer.lr (setting)' });
    expect([...finalValues([], runs, lr)]).toEqual([
      [1, 0.01],
      [2, 0.1],
    ]);
  });

  it('takes the log axis from the registry, and draws a per-layer or per-index metric as one line per part', () => {
    const panels = (keys: string[]) =>
      buildPanels(
        [],
        [],
        metricChoices(reg(...keys)).filter((c) => !c.key.startsWith('intervention_')),
        { x: 'step', group: false },
      );
    expect(panels(['train_loss', 'nc1', 'kappa', 'gap_loss']).map((p) => [p.title, p.logY])).toEqual([
      ['train_loss (train)', true],
      ['nc1 (train)', true],
      ['nc1 (test)', true],
      ['kappa (train)', true],
      ['kappa (test)', true],
      ['gap_loss', false],
    ]);
    const runs = [run(1, 0), run(2, 1)];
    const all = [
      series(1, 'hessian_top_eigs', 'train', [9, 8], '2'),
      series(1, 'hessian_top_eigs', 'train', [10, 12], '10'),
      series(1, 'hessian_top_eigs', 'train', [20, 30], '1'),
      series(2, 'hessian_top_eigs', 'train', [22, 34], '1'),
      series(1, 'kappa_layer', 'train', [0.5, 0.25], 'layers.0.weight'),
    ];
    const [eigs] = metricChoices(reg('hessian_top_eigs'));
    expect(eigs).toMatchObject({ value: 'hessian_top_eigs|train', parts: 'index' });
    const [p] = buildPanels(all, runs, [eigs], { x: 'step', group: false });
    expect(p.series.map((s) => s.name)).toEqual(['1 grok s0 [1]', '1 grok s0 [2]', '1 grok s0 [10]', '2 grok s1 [1]']);
    const [grouped] = buildPanels(all, runs, [eigs], { x: 'step', group: true });
    expect(grouped.series[0]).toEqual({ name: 'grok (2 seeds) [1]', x: [0, 10], y: [21, 32] });
    expect([...finalValues(all, runs, eigs)]).toEqual([
      [1, 30],
      [2, 34],
    ]);
    const [kl] = buildPanels(all, runs, metricChoices(reg('kappa_layer')).slice(0, 1), { x: 'step', group: false });
    expect(kl.series).toEqual([{ name: '1 grok s0 [layers.0.weight]', x: [0, 10], y: [0.5, 0.25] }]);
  });

  it('correlates finished runs only, and names the runs it left out', () => {
    // finished: x = [1, 2, 3], y = [2, 4, 5]: all pairs concordant (tau 1); Pearson by hand = 3 / sqrt(2 * 4.6667) = 0.98198
    const runs = [run(1, 0), run(2, 1), run(3, 2, 0.01, 'imported'), run(4, 3, 0.01, 'running'), run(5, 4, 0.01, 'failed')];
    const all = [
      [1, 2],
      [2, 4],
      [3, 5],
      [10, -9],
      [0, 9],
    ].flatMap(([k, g], i) => [series(i + 1, 'kappa', 'train', [0, k]), series(i + 1, 'gap_acc', 'none', [g])]);
    const [kappa] = metricChoices(reg('kappa'));
    const gap = metricChoices(reg('gap_acc'))[0];
    const d = scatterData(all, runs, kappa, gap);
    expect(d.points.map((p) => [p.name, p.x, p.y, p.counted])).toEqual([
      ['1 grok s0', 1, 2, true],
      ['2 grok s1', 2, 4, true],
      ['3 grok s2', 3, 5, true],
      ['4 grok s3', 10, -9, false],
      ['5 grok s4', 0, 9, false],
    ]);
    expect([d.n, d.tau]).toEqual([3, 1]);
    expect(d.rho).toBeCloseTo(3 / Math.sqrt(2 * (14 / 3)), 12);
    expect(d.leftOut).toEqual([
      { name: '4 grok s3', status: 'running' },
      { name: '5 grok s4', status: 'failed' },
    ]);
  });
});
