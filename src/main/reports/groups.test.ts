import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';
import { parseCsv } from './csv-reader';
import { groupsCsv, groupsTex } from './group-tables';
import { seedGroupKey } from './groups';
import { renderSvg, reportFigures } from './charts';
import { reportHtml } from './html-report';
import { MANIFEST_FORMAT, type ReportManifest } from './manifest';
import { collectReportData, type ReportData } from './report-data';
import { seedGroupFixture } from './report-fixture';
import { writeReport } from './write-report';

let t: ReturnType<typeof testApp>;
let fx: ReturnType<typeof seedGroupFixture>;
let data: ReportData;
beforeAll(() => {
  t = testApp();
  fx = seedGroupFixture(t.app);
  data = collectReportData(t.app.ctx, { projectId: fx.project.id }, Date.UTC(2025, 0, 2));
});
afterAll(() => t.dispose());

describe('seed groups', () => {
  it('group runs that differ only in seed, with the same preset (the Compare view rule)', () => {
    const [a0, a1, a2] = fx.a;
    expect(seedGroupKey(a0)).toBe(seedGroupKey(a1));
    expect(seedGroupKey(a0)).not.toBe(seedGroupKey(fx.b)); // lr differs
    expect(seedGroupKey(a0)).not.toBe(seedGroupKey(fx.c)); // preset differs
    expect(seedGroupKey({ preset: null, config: { seed: 1, x: 2 } })).toBe('custom {"x":2}');
    expect(data.groups.map((g) => [g.id, g.label, g.runIds, g.seeds])).toEqual([
      ['g1', 'A (3 seeds)', [a0.id, a1.id, a2.id], [0, 1, 2]],
      ['g2', `${fx.b.id} B`, [fx.b.id], [0]],
      ['g3', `${fx.c.id} C`, [fx.c.id], [1]],
    ]);
    expect(data.runs.map((r) => r.group)).toEqual(['g1', 'g1', 'g1', 'g2', 'g3']);
  });

  it('groups.csv: n, mean, sample std, sem and the t interval per group and quantity, checked by hand', () => {
    const [head, ...rows] = parseCsv(groupsCsv(data));
    expect(head.slice(0, 5)).toEqual(['group', 'label', 'preset', 'runs', 'seeds']);
    expect(head.slice(-8)).toEqual(['key', 'split', 'n', 'mean', 'std_ddof1', 'sem', 'ci95_low', 'ci95_high']);
    const row = (g: string, key: string) => {
      const r = rows.find((x) => x[0] === g && x[head.indexOf('key')] === key);
      return r && Object.fromEntries(head.map((h, i) => [h, r[i]]));
    };
    const acc = row('g1', 'test_acc')!;
    expect(acc).toMatchObject({
      label: 'A (3 seeds)',
      preset: 'grokking-mlp',
      runs: fx.a.map((r) => r.id).join(' '),
      seeds: '0 1 2',
      split: 'test',
      n: '3',
      lr: '0.001',
    });
    // 0.7, 0.8, 0.9: mean 0.8, std 0.1, sem 0.1 / sqrt 3, half width t(0.975, 2) = 4.3026527 times sem.
    expect(Number(acc.mean)).toBeCloseTo(0.8, 14);
    expect(Number(acc.std_ddof1)).toBeCloseTo(0.1, 14);
    expect(Number(acc.sem)).toBeCloseTo(0.0577350269189626, 14);
    expect(Number(acc.ci95_low)).toBeCloseTo(0.5515862288249669, 12);
    expect(Number(acc.ci95_high)).toBeCloseTo(1.0484137711750332, 12);
    // kappa: 2 and 4 (the third run has none): n 2, std sqrt 2, sem 1, CI 3 -+ 12.7062047.
    const kappa = row('g1', 'kappa')!;
    expect([kappa.n, kappa.mean, Number(kappa.std_ddof1), kappa.sem]).toEqual(['2', '3', Math.SQRT2, '1']);
    expect(Number(kappa.ci95_low)).toBeCloseTo(-9.706204736174707, 10);
    // A group of one: the value, and empty (not NaN) spread cells.
    expect(row('g2', 'test_acc')).toMatchObject({ n: '1', mean: '0.75', std_ddof1: '', sem: '', ci95_low: '', ci95_high: '' });
    expect(row('g3', 'kappa')).toBeUndefined(); // no value, no row
    expect(groupsCsv(data)).not.toMatch(/NaN|undefined|null/);
  });

  it('groups.tex: a booktabs table of mean +- std per group with n', () => {
    const tex = groupsTex(data);
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('Group & $n$ & train\\_loss & test\\_acc & kappa \\\\');
    const line = (label: string) => tex.split('\n').find((l) => l.startsWith(label))!;
    expect(line('A (3 seeds) & 3 &')).toBe('A (3 seeds) & 3 & $0.5 \\pm 0$ & $0.8 \\pm 0.1$ & $3 \\pm 1.414$\\,(2) \\\\');
    expect(line(`${fx.b.id} B & 1 &`)).toBe(`${fx.b.id} B & 1 & $0.5$ & $0.75$ & $5$ \\\\`);
    expect(line(`${fx.c.id} C & 1 &`)).toContain('& --');
    expect(tex).toContain('sample standard deviation');
  });

  it('the HTML report shows the per-group table', () => {
    const html = reportHtml(
      data,
      reportFigures(data).map((figure) => ({ figure, svg: renderSvg(figure) })),
    );
    expect(html).toContain('Final metrics per seed group');
    expect(html).toContain('0.8 ± 0.1');
    expect(html).toContain('3 ± 1.414 (2)');
  });
});

describe('manifest.json', () => {
  it('is written last, with provenance, configs, seeds, checkpoint checksums and every file checksummed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-manifest-'));
    try {
      const r = await writeReport(data, {
        outDir: dir,
        formats: ['html', 'pdf', 'csv', 'tex', 'svg', 'png'],
        pdf: async (_html, pdf) => writeFileSync(pdf, '%PDF-1.7 fake'),
        png: async (_svg, png) => writeFileSync(png, 'PNG fake'),
      });
      const names = r.files.map((f) => f.slice(dir.length + 1));
      expect(names.at(-1)).toBe('manifest.json');
      expect(names).toEqual(
        expect.arrayContaining([
          'runs.csv',
          'metrics.csv',
          'groups.csv',
          'groups.tex',
          'final-metrics.tex',
          'report.pdf',
          'loss.svg',
          'loss.png',
        ]),
      );
      expect(readdirSync(dir).sort()).toEqual([...names].sort());
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ReportManifest;
      expect(m.format).toBe(MANIFEST_FORMAT);
      expect(m.createdAt).toBe('2025-01-02T00:00:00.000Z');
      expect(m.app).toMatchObject({ name: 'plateau', version: t.app.ctx.appVersion });
      expect(m.backends).toEqual(['cpu']);
      expect(m.seeds).toEqual([0, 1, 2]);
      const a0 = m.runs.find((x) => x.id === fx.a[0].id)!;
      expect(a0).toMatchObject({
        name: 'A s0',
        preset: 'grokking-mlp',
        seed: 0,
        backend: 'cpu',
        status: 'succeeded',
        group: 'g1',
        versions: { tfjs: '4.22.0' },
      });
      expect(a0.config).toEqual(fx.a[0].config);
      expect(a0.checkpoints).toEqual([{ step: 10, epoch: 1, bytes: 1000, sha256: '0'.repeat(64) }]);
      expect(m.runs.find((x) => x.id === fx.b.id)!.checkpoints).toEqual([]);
      expect(m.groups[0]).toEqual({
        id: 'g1',
        label: 'A (3 seeds)',
        preset: 'grokking-mlp',
        runs: fx.a.map((x) => x.id),
        seeds: [0, 1, 2],
      });
      // Every other file, with its true size and sha256.
      expect(m.files.map((f) => f.path)).toEqual(names.slice(0, -1));
      for (const f of m.files) {
        const bytes = readFileSync(join(dir, f.path));
        expect(f).toEqual({ path: f.path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
