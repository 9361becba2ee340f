/** The written report in a real Chromium: offline (no request beyond the file itself) and every chart drawn, on screen and in print. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';
import { findChromium } from './chromium';
import { collectReportData } from './report-data';
import { seedReportFixture } from './report-fixture';
import { writeReport } from './write-report';

/*
 * In-page scripts, as source text: they run in the browser, and this project's node typings (no DOM lib)
 * would not know their globals.
 */
const LOG_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))`;
// ECharts paints on the next animation frame; two frames make sure the first paint happened.
const TWO_FRAMES = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
/** Per chart container: its size, and the fraction of its canvas inked darker than near-white. */
const CHART_INK = `[...document.querySelectorAll('[data-figure]')].map((box) => {
  const canvas = box.querySelector('canvas');
  const rect = box.getBoundingClientRect();
  if (!canvas) return { id: box.dataset.figure, width: rect.width, height: rect.height, ink: 0 };
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && Math.min(px[i], px[i + 1], px[i + 2]) < 230) ink++;
  return { id: box.dataset.figure, width: rect.width, height: rect.height, ink: ink / (canvas.width * canvas.height) };
})`;
/** Per figure: the area of its static SVG and of its interactive box, and how many shapes the SVG has. */
const PRINT_AREAS = `[...document.querySelectorAll('figure')].map((f) => {
  const svg = f.querySelector('.static svg').getBoundingClientRect();
  const live = f.querySelector('.interactive').getBoundingClientRect();
  return { id: f.id, svg: svg.width * svg.height, live: live.width * live.height, shapes: f.querySelectorAll('.static svg path').length };
})`;

const bin = findChromium();
let t: ReturnType<typeof testApp>;
let dir: string;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await t?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!bin)('HTML report in Chromium', () => {
  let url: string;
  let figureIds: string[];
  beforeAll(async () => {
    t = testApp();
    dir = mkdtempSync(join(tmpdir(), 'plateau-browser-'));
    const data = collectReportData(t.app.ctx, { projectId: seedReportFixture(t.app).project.id });
    const written = await writeReport(data, { outDir: dir, formats: ['html', 'svg'] });
    figureIds = written.files.filter((f) => f.endsWith('.svg')).map((f) => f.slice(dir.length + 1, -4));
    url = pathToFileURL(join(dir, 'report.html')).href;
    browser = await chromium.launch({ executablePath: bin, args: ['--no-sandbox', '--disable-gpu'] });
  });

  it('loads with zero network requests and no CSP violation or script error, and draws every chart on a canvas', async () => {
    const page = await browser!.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || /Refused|Content.Security.Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    // Injected by the driver, so the page's own CSP does not apply to it.
    await page.addInitScript(LOG_CSP_VIOLATIONS);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction("document.documentElement.hasAttribute('data-charts')");
    await page.evaluate(TWO_FRAMES);
    const charts = await page.evaluate<{ id: string; width: number; height: number; ink: number }[]>(CHART_INK);
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    expect(await page.getAttribute('html', 'data-charts')).toBe(String(figureIds.length));
    expect(charts.map((c) => c.id)).toEqual(figureIds);
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.height, c.id).toBeGreaterThan(200);
      // Axes, labels and lines: a drawn chart inks a few percent of its canvas, a blank one none.
      expect(c.ink, c.id).toBeGreaterThan(0.005);
    }
    await page.close();
  });

  it('shows every static SVG figure in print, which is what the PDF gets', async () => {
    const page = await browser!.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.emulateMedia({ media: 'print' });
    await page.goto(url, { waitUntil: 'load' });
    const shown = await page.evaluate<{ id: string; svg: number; live: number; shapes: number }[]>(PRINT_AREAS);
    expect(shown.map((s) => s.id)).toEqual(figureIds.map((id) => `fig-${id}`));
    for (const s of shown) {
      expect(s.svg, s.id).toBeGreaterThan(100_000);
      expect(s.live, s.id).toBe(0); // the canvas copy is hidden in print
      expect(s.shapes, s.id).toBeGreaterThan(5);
    }
    expect(requests).toEqual([]);
    await page.close();
  });
});
