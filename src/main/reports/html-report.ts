/**
 * One self-contained HTML report: every byte it needs is inlined (the ECharts UMD bundle, the chart
 * options, static SVG copies, CSS), and a Content-Security-Policy with default-src 'none' stops it from
 * fetching anything, so it opens offline and leaks nothing when shared.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { version as echartsVersion } from 'echarts/core';
import { formatStat, type ReportFigure } from './charts';
import type { ReportData } from './report-data';
import { finalColumns, formatNumber, hyperColumns } from './tables';

export interface RenderedFigure {
  figure: ReportFigure;
  /** SVG document from renderSvg. */
  svg: string;
}

let echartsBundle: { code: string } | undefined;
/** The UMD build of ECharts, read once: it becomes the report's own copy of the library. */
function echartsUmd() {
  if (!echartsBundle) {
    const req = createRequire(import.meta.url);
    const code = readFileSync(req.resolve('echarts/dist/echarts.min'), 'utf8');
    // A literal '</script' would end the inline script early; the minified bundle has none, keep it that way.
    echartsBundle = { code: code.replace(/<\/script/gi, '<\\/script') };
  }
  return echartsBundle;
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/**
 * An SVG document made fit to sit inline among others: namespaces dropped (HTML needs none),
 * ECharts' hover-only <style> removed (the CSP would refuse it), and its ids made unique per figure.
 */
export function inlineSvg(svg: string, figureId: string): string {
  const prefix = `${figureId.replace(/[^\w-]/g, '')}-`;
  return svg
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, '')
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(/(id="|url\(#|href="#|class=")zr\d+-/g, `$1${prefix}`)
    .replace(/^<svg /, `<svg role="img" aria-label="${esc(figureId)}" `);
}

const INIT = `(function () {
  var el = document.getElementById('plateau-options');
  var options = JSON.parse(el.textContent);
  document.documentElement.classList.add('js');
  var charts = [];
  document.querySelectorAll('[data-figure]').forEach(function (box) {
    var option = options[box.getAttribute('data-figure')];
    if (!option || !window.echarts) return;
    box.style.height = box.getAttribute('data-height') + 'px';
    var chart = window.echarts.init(box, null, { renderer: 'canvas' });
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute('data-charts', String(charts.length));
})();`;

const CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2328; }
body { max-width: 980px; margin: 24px auto; padding: 0 20px; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05em; margin: 0.4em 0; }
.meta { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
.wide { overflow-x: auto; }
.shared { font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.missing { color: #8c959f; }
figure { margin: 16px 0 28px; }
figcaption { font-size: 12px; color: #57606a; }
.chart { width: 100%; max-width: 900px; }
.static svg { max-width: 100%; height: auto; }
.interactive { display: none; }
.js .interactive { display: block; }
.js .static { display: none; }
.notes li { color: #9a6700; }
dl.metrics dt { font-weight: 600; margin-top: 8px; } dl.metrics dd { margin-left: 16px; font-size: 13px; }
code { font-size: 12px; background: #f6f8fa; padding: 0 3px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11px; }
  .interactive { display: none !important; }
  .static { display: block !important; }
  figure, table, dl.metrics dt, dl.metrics dd { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .static svg { width: 100%; }
}`;

function runsTable(data: ReportData): string {
  // Settings every run shares are said once above the table, so the columns show what differs.
  const all = hyperColumns(data);
  const same = (h: string) => data.runs.length > 1 && data.runs.every((r) => r.hyperparameters[h] === data.runs[0].hyperparameters[h]);
  const shared = all.filter(same);
  const hyper = all.filter((h) => !same(h));
  const show = (v: string | number | null | undefined) => (typeof v === 'number' ? formatNumber(v) : (v ?? ''));
  const head = ['Run', 'Name', 'Status', 'Preset', 'Seed', 'Backend', ...hyper];
  // Ids and seeds print in full; hyperparameters (lr = 0.0031622776601683794) to 4 digits.
  const rows = data.runs.map((r) => [
    r.id,
    r.name,
    r.status,
    r.preset ?? '',
    r.seed ?? '',
    r.backend ?? '',
    ...hyper.map((h) => show(r.hyperparameters[h])),
  ]);
  const common = shared.length
    ? `<p class="shared">All runs: ${shared.map((h) => `${esc(h)} <b>${esc(show(data.runs[0].hyperparameters[h]))}</b>`).join(', ')}.</p>`
    : '';
  return `${common}<div class="wide"><table class="runs"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function finalsTable(data: ReportData): string {
  const cols = finalColumns(data);
  if (!cols.length) return '<p>No run has final metrics yet.</p>';
  const cell = (v: number | undefined) =>
    v === undefined ? '<td class="num missing">n/a</td>' : `<td class="num" title="${v}">${esc(formatNumber(v))}</td>`;
  return `<div class="wide"><table class="finals"><thead><tr><th>Run</th>${cols.map((q) => `<th class="num">${esc(q.label)}</th>`).join('')}</tr></thead><tbody>${data.runs
    .map((r) => `<tr><td>${esc(`${r.id} ${r.name}`)}</td>${cols.map((q) => cell(r.final[q.id])).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** Mean +- sample std per seed group; only when some group has several runs, else it repeats the table above. */
function groupsTable(data: ReportData): string {
  const cols = finalColumns(data);
  if (!cols.length || !data.groups.some((g) => g.runIds.length > 1)) return '';
  const cell = (g: ReportData['groups'][number], id: string) => {
    const s = g.stats[id];
    if (!s) return '<td class="num missing">n/a</td>';
    const text = s.std === null ? formatNumber(s.mean) : `${formatNumber(s.mean)} ± ${formatNumber(s.std)}`;
    const ci = s.ci95 ? `, 95% CI [${s.ci95[0]}, ${s.ci95[1]}]` : '';
    return `<td class="num" title="${esc(`mean ${s.mean}, std ${s.std ?? 'n/a'}, n ${s.n}${ci}`)}">${esc(text)}${s.n < g.runIds.length ? ` (${s.n})` : ''}</td>`;
  };
  return `<h2>Final metrics per seed group</h2>
<p class="shared">Runs that differ only in their seed form a group: mean ± sample standard deviation (n − 1) over its n runs; hover a cell for the 95% t interval.</p>
<div class="wide"><table class="groups"><thead><tr><th>Group</th><th>Runs</th><th class="num">n</th>${cols.map((q) => `<th class="num">${esc(q.label)}</th>`).join('')}</tr></thead><tbody>${data.groups
    .map(
      (g) =>
        `<tr><td>${esc(g.label)}</td><td>${esc(g.runIds.join(', '))}</td><td class="num">${g.runIds.length}</td>${cols.map((q) => cell(g, q.id)).join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
}

function figureBlock({ figure: f, svg }: RenderedFigure, data: ReportData): string {
  const stats =
    f.id === data.scatter.id
      ? `<p class="stats">Kendall τ = <span data-stat="kendall-tau">${formatStat(data.scatter.kendallTau)}</span>, ` +
        `Pearson ρ = <span data-stat="pearson">${formatStat(data.scatter.pearson)}</span>, n = ${data.scatter.points.length} runs.</p>`
      : f.id === data.crossLingual?.id
        ? `<p class="stats">Kendall τ = <span data-stat="cross-lingual-kendall-tau">${formatStat(data.crossLingual.kendallTau)}</span>, ` +
          `Pearson ρ = <span data-stat="cross-lingual-pearson">${formatStat(data.crossLingual.pearson)}</span>, ` +
          `n = ${data.crossLingual.points.length} (run, set, checkpoint) points over sets ${esc(data.crossLingual.sets.join(', '))}.</p>`
        : '';
  return `<figure id="fig-${esc(f.id)}">
<h3>${esc(f.title)}</h3>
<div class="interactive chart" data-figure="${esc(f.id)}" data-height="${f.height}"></div>
<div class="static">${inlineSvg(svg, f.id)}</div>
${stats}<figcaption>${esc(f.caption)}</figcaption>
</figure>`;
}

function metricsSection(data: ReportData): string {
  const cited = [...new Set(data.metrics.map((m) => m.citation).filter((c) => c !== 'standard'))];
  return `<dl class="metrics">${data.metrics
    .map(
      (m) => `<dt>${esc(m.label)} <code>${esc(m.key)}</code></dt>
<dd>${esc(m.description)}<br><code>${esc(m.formula)}</code>${m.citation === 'standard' ? '' : `<br>${esc(m.citation)}`}</dd>`,
    )
    .join('\n')}</dl>
${cited.length ? `<h3>References</h3><ol>${cited.map((c) => `<li>${esc(c)}</li>`).join('')}</ol>` : ''}`;
}

function provenance(data: ReportData, echartsVersion: string): string {
  const p = data.provenance;
  const rows: [string, string][] = [
    ['Plateau', `${p.appVersion} (${p.host})`],
    ['Generated', new Date(data.generatedAt).toISOString()],
    ['Backends', p.backends.join(', ') || 'n/a'],
    ['Seeds', p.seeds.join(', ') || 'n/a'],
    ...Object.entries(p.versions).map(([k, v]): [string, string] => [k, v.join(', ')]),
    ['Charts', `Apache ECharts ${echartsVersion}, inlined`],
  ];
  return `<table class="provenance"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** The report as one HTML string. */
export function reportHtml(data: ReportData, figures: RenderedFigure[]): string {
  const lib = echartsUmd();
  // A data block, not a script: it runs nothing, and '<' is escaped so a run name cannot close the tag.
  const options = JSON.stringify(Object.fromEntries(figures.map(({ figure }) => [figure.id, figure.interactive]))).replace(/</g, '\\u003c');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(lib.code)} ${sha256(INIT)}`,
    `style-src-elem ${sha256(CSS)}`,
    // ECharts sizes its canvases and the SSR SVGs style their text through style attributes.
    "style-src-attr 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const date = new Date(data.generatedAt);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Plateau ${esc(data.provenance.appVersion)}">
<title>${esc(data.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(data.title)}</h1>
<p class="meta">${esc(date.toISOString().slice(0, 10))} · ${data.runs.length} run(s)${data.project?.description ? ` · ${esc(data.project.description)}` : ''}</p>
</header>
<h2>Runs</h2>
${runsTable(data)}
<h2>Final metrics</h2>
${finalsTable(data)}
${groupsTable(data)}
${data.notes.length ? `<h2>Left out</h2><ul class="notes">${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Figures</h2>
${figures.length ? figures.map((f) => figureBlock(f, data)).join('\n') : '<p>No figure has data.</p>'}
<h2>Metric definitions</h2>
${metricsSection(data)}
<h2>Provenance</h2>
${provenance(data, echartsVersion)}
<script type="application/json" id="plateau-options">${options}</script>
<script>${lib.code}</script>
<script>${INIT}</script>
</body>
</html>
`;
}
