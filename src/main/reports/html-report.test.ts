import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kendallTau, pearson } from '../../shared/domain/stats';
import { testApp } from '../test/test-app';
import { renderSvg, reportFigures } from './charts';
import { reportHtml, type RenderedFigure } from './html-report';
import { collectReportData, type ReportData } from './report-data';
import { seedReportFixture } from './report-fixture';

let t: ReturnType<typeof testApp>;
let fx: ReturnType<typeof seedReportFixture>;
let data: ReportData;
let rendered: RenderedFigure[];
let html: string;
beforeAll(() => {
  t = testApp();
  fx = seedReportFixture(t.app);
  data = collectReportData(t.app.ctx, { projectId: fx.project.id });
  rendered = reportFigures(data).map((figure) => ({ figure, svg: renderSvg(figure) }));
  html = reportHtml(data, rendered);
});
afterAll(() => t.dispose());

const scripts = (h: string) => [...h.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1], body: m[2] }));

describe('HTML report', () => {
  it('is self-contained: no URL outside the inlined library, no src or href to anywhere', () => {
    const lib = scripts(html).reduce((a, b) => (a.body.length > b.body.length ? a : b));
    expect(lib.body.length).toBeGreaterThan(500_000); // the ECharts UMD bundle itself
    expect(html.replace(lib.body, '').match(/.{0,80}https?:\/\/.{0,40}/gi)).toBeNull();
    expect(html.match(/\s(src|href|action|srcset|poster|data)\s*=\s*["']?\s*(https?:|\/\/|file:|ftp:).{0,40}/gi)).toBeNull();
    expect(html.replace(lib.body, '').match(/<(link|iframe|object|embed|img)\b.{0,40}/gi)).toBeNull();
    expect(html.replace(lib.body, '').match(/.{0,40}(@import|url\((?!#)).{0,40}/gi)).toBeNull();
  });

  it('has a strict CSP whose hashes are those of its inline scripts', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1].replace(/&#39;/g, "'");
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).not.toMatch(/'unsafe-inline'[^;]*;.*script|script-src[^;]*unsafe/);
    for (const s of scripts(html).filter((x) => !x.attrs.includes('application/json'))) {
      expect(csp).toContain(`'sha256-${createHash('sha256').update(s.body, 'utf8').digest('base64')}'`);
    }
  });

  it('carries each figure twice: a static SVG and the interactive option as JSON', () => {
    expect(rendered.map((r) => r.figure.id)).toEqual(['figure-1', 'loss', 'accuracy', 'kappa-vs-gap']);
    expect(html.match(/<svg /g)?.length).toBe(rendered.length);
    // Clip paths are referenced by id: ids must stay unique with several SVGs in one page.
    const ids = [...html.matchAll(/<(?:clipPath|linearGradient|radialGradient|pattern|div|figure|script)\b[^>]*\sid="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(ids.filter((id) => id.startsWith('figure-1-')).length).toBeGreaterThan(0);
    expect(ids.length).toBe(new Set(ids).size);
    const json = scripts(html).find((s) => s.attrs.includes('application/json'))!.body;
    const options = JSON.parse(json);
    for (const { figure } of rendered) expect(options[figure.id]).toEqual(JSON.parse(JSON.stringify(figure.interactive)));
    expect(json).not.toContain('<');
  });

  it('prints the Kendall tau and Pearson rho of stats.ts, and the runs, definitions, citations and notes', () => {
    const xs = fx.finals.map((f) => f.kappa);
    const ys = fx.finals.map((f) => f.gap);
    expect(/data-stat="kendall-tau">([^<]+)</.exec(html)![1]).toBe(kendallTau(xs, ys).toFixed(4));
    expect(/data-stat="pearson">([^<]+)</.exec(html)![1]).toBe(pearson(xs, ys).toFixed(4));
    expect(
      html.includes('<title>Plateau report: Grok &#38; flat_100%</title>'),
      '<title>Plateau report: Grok &#38; flat_100%</title>',
    ).toBe(true);
    expect(html.includes('lr_1e-3 &#38; wd'), 'lr_1e-3 &#38; wd').toBe(true);
    expect(
      html.includes('Petzka et al., Relative Flatness and Generalization, NeurIPS 2021'),
      'Petzka et al., Relative Flatness and Generalization, NeurIPS 2021',
    ).toBe(true);
    expect(html.includes('Papyan, Han &#38; Donoho'), 'Papyan, Han &#38; Donoho').toBe(true);
    expect(html.includes('Galanti'), 'Galanti').toBe(true);
    expect(/Run 4 no_metrics has no kappa \(train\)/.test(html), String(/Run 4 no_metrics has no kappa \(train\)/)).toBe(true);
    expect(/break-inside: avoid/.test(html), String(/break-inside: avoid/)).toBe(true);
    expect(
      html.includes('All runs: dataset <b>modular a+b mod 97 train 0.3</b>'),
      'All runs: dataset <b>modular a+b mod 97 train 0.3</b>',
    ).toBe(true);
  });
  // Opening it in Chromium (no requests, every chart drawn, print layout): browser-render.test.ts.
});
