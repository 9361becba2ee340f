import { describe, expect, it } from 'vitest';
import { metricInfo } from '../../../../shared/domain/metrics';
import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { groupedScatterOption } from '../../charts/cross-lingual-option';
import { buildPanels, choiceValue, EACH_SET } from './compare-data';
import { crossLingualData, evalSetsIn, setChoices } from './eval-sets';

const run = (id: number, name: string): Run => ({
  id,
  projectId: 1,
  name,
  preset: null,
  config: {},
  status: 'imported',
  seed: null,
  backend: 'cpu',
  versions: {},
  origin: 'imported',
  tags: [],
  error: null,
  summary: {},
  createdAt: 0,
  startedAt: 0,
  finishedAt: 0,
  notes: '',
});
const s = (runId: number, key: string, split: string, steps: number[], values: number[]): MetricSeries => ({
  runId,
  key,
  split,
  layer: '',
  steps,
  epochs: steps.map(() => null),
  values,
});

// pythia at two checkpoints, evaluated on en (its training language) and de, fr
const all = [
  s(1, 'kappa', 'en', [1000, 2000], [1, 2]),
  s(1, 'kappa', 'de', [1000, 2000], [3, 5]),
  s(1, 'kappa', 'fr', [1000, 2000], [4, 6]),
  s(1, 'gap_loss', 'en', [1000, 2000], [0, 0]),
  s(1, 'gap_loss', 'de', [1000, 2000], [0.5, 0.9]),
  s(1, 'gap_loss', 'fr', [2000], [1.0]), // fr measured at one checkpoint only
  s(1, 'kappa', 'train', [1000], [9]),
  s(1, 'loss', 'en', [1000, 2000], [3, 2.5]),
];

describe('evaluation sets in Compare', () => {
  it('finds the sets the series hold, leaving out train, test and none', () => {
    expect(evalSetsIn(all)).toEqual(['de', 'en', 'fr']);
  });

  it('offers loss, acc, gap_loss and every per-split key per set, never a per-layer or train-only key', () => {
    const c = setChoices(['kappa', 'train_loss', 'gap_loss', 'perplexity', 'kappa_layer', 'fro_norm'].map((k) => metricInfo(k)!));
    expect(c.map((x) => x.value)).toEqual(['loss|@sets', 'acc|@sets', 'gap_loss|@sets', 'kappa|@sets', 'perplexity|@sets']);
    expect(c.find((x) => x.key === 'gap_loss')!.logY).toBe(false); // a gap can be negative
  });

  it('draws one line per run x chosen set on a per-set panel', () => {
    const [p] = buildPanels(
      all,
      [run(1, 'pythia')],
      [{ value: choiceValue('kappa', EACH_SET), key: 'kappa', split: EACH_SET, label: 'k' }],
      {
        x: 'step',
        group: false,
        sets: ['de', 'en'],
      },
    );
    expect(p.series.map((l) => [l.name, l.x, l.y])).toEqual([
      ['1 pythia · de', [1000, 2000], [3, 5]],
      ['1 pythia · en', [1000, 2000], [1, 2]],
    ]);
  });

  it('pairs x and y per set and checkpoint, and correlates over all sets x checkpoints', () => {
    const d = crossLingualData(all, [run(1, 'pythia')], ['en', 'de', 'fr'], 'kappa', 'gap_loss');
    expect(d.points.map((p) => [p.set, p.step, p.x, p.y])).toEqual([
      ['en', 1000, 1, 0],
      ['en', 2000, 2, 0],
      ['de', 1000, 3, 0.5],
      ['de', 2000, 5, 0.9],
      ['fr', 2000, 6, 1.0],
    ]);
    // by hand: x = 1,2,3,5,6 and y = 0,0,.5,.9,1; of 10 pairs, 9 concordant and one tied in y only (1,2):
    // tau_b = 9 / sqrt(10 * 9)
    expect(d.tau).toBeCloseTo(9 / Math.sqrt(90), 12);
    const x = [1, 2, 3, 5, 6];
    const y = [0, 0, 0.5, 0.9, 1];
    const mx = 3.4,
      my = 0.48;
    const sxy = x.reduce((a, v, i) => a + (v - mx) * (y[i] - my), 0);
    const sxx = x.reduce((a, v) => a + (v - mx) ** 2, 0);
    const syy = y.reduce((a, v) => a + (v - my) ** 2, 0);
    expect(d.rho).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
    expect(d.missingY).toEqual([]);
  });

  it('says which sets have the head measure but nothing to set it against', () => {
    const d = crossLingualData(all, [run(1, 'pythia')], ['en', 'de'], 'kappa', 'perplexity');
    expect(d.points).toEqual([]);
    expect(Number.isNaN(d.tau)).toBe(true);
    expect(d.missingY).toEqual(['en', 'de']);
  });

  it('charts one coloured series per set, every point named by run and checkpoint', () => {
    const o = groupedScatterOption({
      points: [
        { group: 'en', name: '1 pythia @ step 1000', x: 1, y: 0 },
        { group: 'de', name: '1 pythia @ step 1000', x: 3, y: 0.5 },
        { group: 'en', name: '1 pythia @ step 2000', x: 2, y: 0 },
      ],
      xName: 'kappa',
      yName: 'gap',
      title: 't',
    }) as { series: { name: string; data: { value: unknown[] }[] }[]; legend: { data: string[] } };
    expect(o.legend.data).toEqual(['en', 'de']);
    expect(o.series.map((x) => [x.name, x.data.map((d) => d.value)])).toEqual([
      [
        'en',
        [
          [1, 0, '1 pythia @ step 1000'],
          [2, 0, '1 pythia @ step 2000'],
        ],
      ],
      ['de', [[3, 0.5, '1 pythia @ step 1000']]],
    ]);
  });
});
