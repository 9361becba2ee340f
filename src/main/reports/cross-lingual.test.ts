import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../shared/jobs/messages';
import { testApp } from '../test/test-app';
import { collectReportData, type ReportData } from './report-data';
import { writeReport } from './write-report';

// Two imported LM runs, evaluated on en (their training set), de and fr at two checkpoints: rows as an
// import of dump sets stores them (each set's keys under its name).
let t: ReturnType<typeof testApp>;
let data: ReportData;
const out = mkdtempSync(join(tmpdir(), 'plateau-report-cl-'));
const KAPPA: Record<string, number[]> = { en: [1, 2], de: [3, 5], fr: [4, 7] };
const GAP: Record<string, number[]> = { en: [0, 0], de: [0.4, 0.8], fr: [0.6, 0.5] };

beforeAll(() => {
  t = testApp();
  const { repos } = t.app.ctx;
  const project = repos.projects.create('Pythia', '');
  for (const [r, name] of ['pythia-70m', 'pythia-160m'].entries()) {
    const run = repos.runs.create({
      projectId: project.id,
      name,
      preset: null,
      config: {},
      status: 'imported',
      seed: null,
      backend: null,
      versions: {},
    });
    const rows: MetricRow[] = [];
    for (const [i, step] of [1000, 2000].entries())
      for (const set of ['en', 'de', 'fr']) {
        const row = (key: string, value: number): MetricRow => ({ step, epoch: null, split: set, key, value });
        rows.push(row('kappa', KAPPA[set][i] + r), row('gap_loss', GAP[set][i]), row('loss', 3 + GAP[set][i]));
      }
    repos.metrics.insertMany(run.id, rows);
  }
  data = collectReportData(t.app.ctx, { projectId: project.id });
});
afterAll(async () => {
  await t.dispose();
  rmSync(out, { recursive: true, force: true });
});

describe('the cross-lingual figure of a report', () => {
  it('pairs kappa and gap_loss per run, set and checkpoint, with tau and rho over all the points', () => {
    const c = data.crossLingual!;
    expect(c.sets).toEqual(['de', 'en', 'fr']);
    expect(c.points).toHaveLength(12);
    const de = c.points.filter((p) => p.set === 'de').map((p) => [p.run, p.step, p.x, p.y]);
    expect(de).toEqual([
      ['1 pythia-70m', 1000, 3, 0.4],
      ['1 pythia-70m', 2000, 5, 0.8],
      ['2 pythia-160m', 1000, 4, 0.4],
      ['2 pythia-160m', 2000, 6, 0.8],
    ]);
    // by hand over the 12 (x, y) pairs: Pearson from its definition, Kendall tau-b from pair counts
    const xs = c.points.map((p) => p.x);
    const ys = c.points.map((p) => p.y);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const [mx, my] = [mean(xs), mean(ys)];
    const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const syy = ys.reduce((a, y) => a + (y - my) ** 2, 0);
    expect(c.pearson).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
    let [conc, disc, tx, ty] = [0, 0, 0, 0];
    for (let i = 0; i < 12; i++)
      for (let j = i + 1; j < 12; j++) {
        const [dx, dy] = [Math.sign(xs[i] - xs[j]), Math.sign(ys[i] - ys[j])];
        if (dx === 0 && dy === 0) continue;
        if (dx === 0) tx++;
        else if (dy === 0) ty++;
        else if (dx === dy) conc++;
        else disc++;
      }
    expect(c.kendallTau).toBeCloseTo((conc - disc) / Math.sqrt((conc + disc + tx) * (conc + disc + ty)), 12);
  });

  it('is drawn in the HTML report with its statistics, and as an SVG figure', async () => {
    const r = await writeReport(data, { outDir: out, formats: ['html', 'svg'] });
    const html = readFileSync(
      r.files.find((f) => f.endsWith('.html'))!,
      'utf8',
    );
    expect(html).toContain('id="fig-cross-lingual"');
    expect(html).toContain(`<span data-stat="cross-lingual-pearson">${data.crossLingual!.pearson!.toFixed(4)}</span>`);
    expect(html).toMatch(/n = 12 \(run, set, checkpoint\) points over sets de, en, fr/);
    const svg = r.files.find((f) => /cross-lingual.*\.svg$/.test(f));
    expect(svg && readFileSync(svg, 'utf8')).toContain('<svg');
  });
});
