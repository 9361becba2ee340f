import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { kendallTau, pearson } from '../../shared/domain/stats';
import { testApp } from '../test/test-app';
import { seedReportFixture } from './report-fixture';
import { collectReportData } from './report-data';

let t: ReturnType<typeof testApp>;
let fx: ReturnType<typeof seedReportFixture>;
beforeAll(() => {
  t = testApp();
  fx = seedReportFixture(t.app);
});
afterAll(() => t.dispose());

describe('collectReportData', () => {
  it('gathers a project: runs in id order, key hyperparameters, final values, provenance', () => {
    const d = collectReportData(t.app.ctx, { projectId: fx.project.id }, 1_700_000_000_000);
    expect(d.title).toBe('Plateau report: Grok & flat_100%');
    expect(d.runs.map((r) => r.id)).toEqual(fx.runs.map((r) => r.id));
    expect(d.runs[0].hyperparameters).toMatchObject({
      dataset: 'modular a+b mod 97 train 0.3',
      model: 'mlp 128 relu',
      optimizer: 'adamw',
      lr: 0.001,
      epochs: 4,
    });
    expect(d.runs[0].final.train_loss).toBe(fx.awkward[0]);
    expect(d.runs[1].final.kappa).toBe(fx.awkward[1]);
    expect(d.provenance).toMatchObject({ backends: ['cpu'], seeds: [0, 1, 2, 3], versions: { tfjs: ['4.22.0'] } });
    expect(d.figures.map((f) => f.id)).toEqual(['figure-1', 'loss', 'accuracy']);
    // Per-layer rows are not whole-model quantities and stay out.
    expect(d.series.some((s) => s.key === 'fro_norm')).toBe(false);
    expect(d.metrics.map((m) => m.key)).toEqual(expect.arrayContaining(['kappa', 'nc1', 'cdnv', 'test_acc', 'gap_acc']));
  });

  it('reports a run without checkpoint metrics instead of failing', () => {
    const d = collectReportData(t.app.ctx, { projectId: fx.project.id });
    const bare = d.runs.find((r) => r.name === 'no_metrics')!;
    expect(bare.missing).toEqual(expect.arrayContaining(['kappa (train)', 'nc1 (train)', 'cdnv (train)', 'gap_acc']));
    expect(bare.final.test_acc).toBeTypeOf('number');
    expect(d.notes.join('\n')).toMatch(/no_metrics has no .*kappa \(train\)/);
    expect(d.notes.join('\n')).toMatch(/lack a final kappa \(train\) or gap_acc/);
    expect(d.scatter.points).toHaveLength(3);
  });

  it('computes Kendall tau and Pearson rho with stats.ts on the final values', () => {
    const d = collectReportData(t.app.ctx, { projectId: fx.project.id });
    const xs = fx.finals.map((f) => f.kappa);
    const ys = fx.finals.map((f) => f.gap);
    expect(d.scatter.points.map((p) => p.x)).toEqual(xs);
    expect(d.scatter.kendallTau).toBe(kendallTau(xs, ys));
    expect(d.scatter.pearson).toBe(pearson(xs, ys));
    expect(d.scatter.kendallTau).toBeCloseTo(1 / 3, 12);
  });

  it('takes explicit runs, drops a figure nobody has data for, and says so', () => {
    const bare = fx.runs[3];
    const d = collectReportData(t.app.ctx, { runIds: [bare.id] });
    expect(d.title).toBe(`Plateau report: runs ${bare.id} of ${fx.project.name}`);
    expect(d.project?.name).toBe(fx.project.name);
    expect(d.figures.map((f) => f.id)).toEqual(['figure-1', 'loss', 'accuracy']); // test_acc keeps figure 1
    expect(d.scatter.kendallTau).toBeNull();
    expect(d.notes.join('\n')).toMatch(/correlations need two or more runs/);
    const { repos } = t.app.ctx;
    const p = repos.projects.create('fresh');
    const empty = repos.runs.create({ projectId: p.id, name: 'queued', config: {}, status: 'queued' });
    const e = collectReportData(t.app.ctx, { runIds: [empty.id] });
    expect(e.figures).toEqual([]);
    expect(e.series).toEqual([]);
    expect(e.runs[0].hyperparameters).toEqual({});
    expect(e.notes.join('\n')).toMatch(/Figure 'Train and test loss' is left out: no run has train_loss \(train\), test_loss \(test\)/);
  });

  it('refuses an empty selection, unknown runs and runs of another project', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof PlateauError ? err.code : 'other';
      }
      return 'none';
    };
    expect(code(() => collectReportData(t.app.ctx, {}))).toBe('InvalidParams');
    expect(code(() => collectReportData(t.app.ctx, { runIds: [999] }))).toBe('NotFound');
    const other = t.app.ctx.repos.projects.create('empty');
    expect(code(() => collectReportData(t.app.ctx, { projectId: other.id }))).toBe('InvalidParams');
    expect(code(() => collectReportData(t.app.ctx, { projectId: other.id, runIds: [fx.runs[0].id] }))).toBe('InvalidParams');
  });
});
