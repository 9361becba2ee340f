import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';
import { seedReportFixture } from './report-fixture';
import { collectReportData, type ReportData } from './report-data';
import { parseCsv } from './csv-reader';
import { finalMetricsTex, formatNumber, metricsCsv, runsCsv, texEscape } from './tables';

let t: ReturnType<typeof testApp>;
let data: ReportData;
beforeAll(() => {
  t = testApp();
  const fx = seedReportFixture(t.app);
  data = collectReportData(t.app.ctx, { projectId: fx.project.id });
});
afterAll(() => t.dispose());

describe('report tables', () => {
  it('metrics.csv is tidy (run, step, split, key, value, layer) and gives back every stored number exactly', () => {
    const [head, ...rows] = parseCsv(metricsCsv(data));
    expect(head).toEqual(['run', 'step', 'split', 'key', 'value', 'layer']);
    const keys = ['train_loss', 'test_loss', 'train_acc', 'test_acc', 'kappa', 'nc1', 'cdnv', 'gap_acc', 'fro_norm'];
    const stored = t.app.ctx.repos.metrics.series(
      data.runs.map((r) => r.id),
      keys,
    );
    const want = stored.flatMap((s) => s.values.map((v, i) => [s.runId, s.steps[i], s.split, s.key, v, s.layer]));
    const got = rows.map(([run, step, split, key, value, layer]) => [Number(run), Number(step), split, key, Number(value), layer]);
    expect(got.length).toBe(want.length);
    expect(new Set(got.map((r) => JSON.stringify(r)))).toEqual(new Set(want.map((r) => JSON.stringify(r))));
    // Every metric, per-layer ones included (layer names the weight matrix), not just the plotted ones.
    expect(got.filter((r) => r[3] === 'fro_norm').every((r) => r[5] === 'dense_1')).toBe(true);
    expect(got.some((r) => r[3] === 'fro_norm')).toBe(true);
    // The awkward doubles (0.1 + 0.2, 2^-1074, ...) are compared bit for bit, not approximately.
    for (const v of [0.1 + 0.2, 2 ** -1074, 1e-300, 1 / 3]) expect(got.some((r) => Object.is(r[4], v))).toBe(true);
  });

  it('runs.csv quotes names with commas or quotes and keeps final values exact', () => {
    const named = { ...data, runs: data.runs.map((r, i) => (i === 0 ? { ...r, name: 'a, "quoted" name' } : r)) };
    const [head, ...rows] = parseCsv(runsCsv(named));
    expect(head.slice(0, 4)).toEqual(['run', 'name', 'status', 'preset']);
    expect(rows[0][1]).toBe('a, "quoted" name');
    const col = head.indexOf('final_train_loss');
    expect(Number(rows[0][col])).toBe(data.runs[0].final.train_loss);
    expect(rows[3][head.indexOf('final_kappa')]).toBe('');
    expect(head).toContain('lr');
  });

  it('the TeX table escapes special characters and marks missing values', () => {
    expect(texEscape('a_b 50% & #1 {x} ~ ^ \\ $')).toBe(
      'a\\_b 50\\% \\& \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\$',
    );
    const tex = finalMetricsTex(data);
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\bottomrule');
    expect(tex).toContain('lr\\_1e-3 \\& wd');
    expect(tex).toContain('lr 50\\% \\#2');
    expect(tex).toContain('Grok \\& flat\\_100\\%');
    expect(tex).toContain('train\\_loss');
    expect(tex).not.toMatch(/[^\\]_/); // every underscore escaped
    const bare = tex.split('\n').find((l) => l.includes('no\\_metrics'))!;
    expect(bare).toContain('--');
    expect(tex).toContain('$1.23\\times 10^{8}$');
  });

  it('formats numbers with 4 significant digits', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1 / 3)).toBe('0.3333');
    expect(formatNumber(123456789)).toBe('1.23e+8');
    expect(formatNumber(0)).toBe('0');
  });
});
