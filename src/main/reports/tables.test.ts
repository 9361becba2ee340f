import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';
import { seedReportFixture } from './report-fixture';
import { collectReportData, type ReportData } from './report-data';
import { finalMetricsTex, formatNumber, runsCsv, seriesCsv, texEscape } from './tables';

/** A small RFC 4180 reader, written independently of the writer so the round trip checks something. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

let t: ReturnType<typeof testApp>;
let data: ReportData;
beforeAll(() => {
  t = testApp();
  const fx = seedReportFixture(t.app);
  data = collectReportData(t.app.ctx, { projectId: fx.project.id });
});
afterAll(() => t.dispose());

describe('report tables', () => {
  it('series.csv gives back every stored number exactly', () => {
    const [head, ...rows] = parseCsv(seriesCsv(data));
    expect(head).toEqual(['run', 'metric', 'split', 'step', 'epoch', 'value']);
    const stored = t.app.ctx.repos.metrics.series(data.runs.map((r) => r.id), ['train_loss', 'test_loss', 'train_acc', 'test_acc', 'kappa', 'nc1', 'cdnv', 'gap_acc'])
      .filter((s) => s.layer === '');
    const want = stored.flatMap((s) => s.values.map((v, i) => [s.runId, s.key, s.split, s.steps[i], s.epochs[i], v]));
    const got = rows.map(([run, metric, split, step, epoch, value]) => [Number(run), metric, split, Number(step), epoch === '' ? null : Number(epoch), Number(value)]);
    expect(got.length).toBe(want.length);
    expect(new Set(got.map((r) => JSON.stringify(r)))).toEqual(new Set(want.map((r) => JSON.stringify(r))));
    // The awkward doubles (0.1 + 0.2, 2^-1074, ...) are compared bit for bit, not approximately.
    for (const v of [0.1 + 0.2, 2 ** -1074, 1e-300, 1 / 3]) expect(got.some((r) => Object.is(r[5], v))).toBe(true);
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
    expect(texEscape('a_b 50% & #1 {x} ~ ^ \\ $')).toBe('a\\_b 50\\% \\& \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\$');
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
