/**
 * ECharts options for the report figures and their static SVG renderings (ECharts' server-side mode).
 * Main-side builders: the renderer's pure builders live outside tsconfig.node.json's composite file
 * list, so main cannot import them. Every option is plain JSON (no functions), because the HTML report
 * embeds the same option for its interactive copy.
 */
import { LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { crossLingualFigure } from './cross-lingual';
import type { FigureSpec, ReportData, ReportSeries } from './report-data';

echarts.use([LineChart, ScatterChart, GridComponent, TitleComponent, LegendComponent, TooltipComponent, DataZoomComponent, SVGRenderer]);

type Option = Record<string, unknown>;

export interface ReportFigure {
  id: string;
  title: string;
  caption: string;
  width: number;
  height: number;
  /** With zoom and tooltips, for the interactive copy. */
  interactive: Option;
  /** Without zoom slider or tooltips, white background: for SVG, PNG and print. */
  static: Option;
}

export const PALETTE = [
  '#4363d8',
  '#e6194b',
  '#3cb44b',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#9a6324',
  '#469990',
  '#808000',
  '#000075',
  '#a9a9a9',
];
const WIDTH = 900;
const PANEL = 150;
const GAP = 44;
const MIN_NORMAL = 2 ** -1022;

/** A stat for display: 4 decimals, or 'n/a' when undefined. The HTML and the chart title share it. */
export const formatStat = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));

/** Legend rows the plain (wrapping) legend will need, so the grids start below it. */
const legendHeight = (names: string[]) => {
  const perRow = Math.max(1, Math.floor(WIDTH / Math.max(90, 30 + 7 * Math.max(...names.map((n) => n.length), 4))));
  return 8 + Math.ceil(names.length / perRow) * 22;
};

/** Epoch when every point has one (figures read in epochs), else optimizer step. */
function xAxisOf(series: ReportSeries[]): 'epoch' | 'step' {
  return series.every((s) => s.epochs.every((e) => e !== null)) ? 'epoch' : 'step';
}

function points(s: ReportSeries, x: 'epoch' | 'step', logY: boolean): [number, number][] {
  const out: [number, number][] = [];
  s.values.forEach((y, i) => {
    const xv = x === 'epoch' ? s.epochs[i]! : s.steps[i];
    // Log axes cannot show non-positive values (and ECharts' log scale breaks on subnormal ones);
    // non-finite values are never plotted.
    if (Number.isFinite(xv) && Number.isFinite(y) && (!logY || y >= MIN_NORMAL)) out.push([xv, y]);
  });
  return out;
}

function lineFigure(data: ReportData, f: FigureSpec): ReportFigure {
  const color = new Map(data.runs.map((r, i) => [r.id, PALETTE[i % PALETTE.length]]));
  const name = new Map(data.runs.map((r) => [r.id, `${r.id} ${r.name}`]));
  const used = data.series.filter((s) => f.quantities.some((q) => q.id === s.quantity));
  const x = xAxisOf(used);
  const stacked = f.kind === 'stacked';
  const panels = stacked ? f.quantities.map((q) => [q]) : [f.quantities];
  const seriesName = (runId: number, qi: number) =>
    stacked || f.quantities.length === 1 ? name.get(runId)! : `${name.get(runId)} ${f.quantities[qi].split}`;
  const names = [
    ...new Set(
      data.runs.flatMap((r) =>
        f.quantities.flatMap((q, qi) => (used.some((s) => s.runId === r.id && s.quantity === q.id) ? [seriesName(r.id, qi)] : [])),
      ),
    ),
  ];
  const top = legendHeight(names) + 22;
  const height = top + panels.length * (PANEL + GAP) + 40;
  // 'none': long tick labels may not shift one panel's axis, or the panels would no longer line up in x.
  const grids = panels.map((_, i) => ({ left: 72, right: 28, top: top + i * (PANEL + GAP), height: PANEL, outerBoundsMode: 'none' }));
  const series = panels.flatMap((qs, pi) =>
    qs.flatMap((q) => {
      const qi = f.quantities.indexOf(q);
      const logY = !!(q.logY ?? f.logY);
      return used
        .filter((s) => s.quantity === q.id)
        .map((s) => ({
          name: seriesName(s.runId, qi),
          type: 'line',
          xAxisIndex: pi,
          yAxisIndex: pi,
          showSymbol: false,
          sampling: 'lttb',
          color: color.get(s.runId),
          lineStyle: { width: 1.6, type: qi > 0 && !stacked ? 'dashed' : 'solid' },
          data: points(s, x, logY),
        }));
    }),
  );
  const base = {
    animation: false,
    backgroundColor: '#ffffff',
    legend: { type: 'plain', top: 4, left: 16, right: 16, data: names, textStyle: { fontSize: 11 } },
    title: panels.map((qs, i) => ({
      text: qs.map((q) => q.label).join(', '),
      left: 72,
      top: top + i * (PANEL + GAP) - 20,
      textStyle: { fontSize: 12, fontWeight: 'normal' },
    })),
    grid: grids,
    xAxis: panels.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      min: 'dataMin',
      max: 'dataMax',
      name: i === panels.length - 1 ? x : '',
      nameLocation: 'middle',
      nameGap: 26,
    })),
    yAxis: panels.map((qs, i) => ({ type: qs.some((q) => q.logY ?? f.logY) ? 'log' : 'value', gridIndex: i, scale: true })),
    series,
  };
  const all = panels.map((_, i) => i);
  return {
    id: f.id,
    title: f.title,
    caption: f.caption,
    width: WIDTH,
    height,
    static: base,
    interactive: {
      ...base,
      tooltip: { trigger: 'axis' },
      axisPointer: { link: [{ xAxisIndex: 'all' }] },
      // One zoom drives every panel's x axis: panels stay aligned while zooming.
      dataZoom: [
        { type: 'inside', xAxisIndex: all },
        { type: 'slider', xAxisIndex: all, height: 14, bottom: 4 },
      ],
    },
  };
}

function scatterFigure(data: ReportData): ReportFigure {
  const s = data.scatter;
  const color = new Map(data.runs.map((r, i) => [r.id, PALETTE[i % PALETTE.length]]));
  const stats = `Kendall τ = ${formatStat(s.kendallTau)}   Pearson ρ = ${formatStat(s.pearson)}   (n = ${s.points.length})`;
  const base = {
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: stats, left: 'center', top: 4, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    grid: { left: 80, right: 32, top: 40, bottom: 52 },
    xAxis: { type: 'value', name: s.x.label, nameLocation: 'middle', nameGap: 30, scale: true },
    yAxis: { type: 'value', name: s.y.label, scale: true },
    series: [
      {
        type: 'scatter',
        symbolSize: 10,
        label: { show: true, position: 'right', fontSize: 10 },
        data: s.points.map((p) => ({
          name: p.name,
          value: [p.x, p.y],
          itemStyle: { color: color.get(p.runId) },
          label: { formatter: String(p.runId) },
        })),
      },
    ],
  };
  return {
    id: s.id,
    title: s.title,
    width: 700,
    height: 440,
    static: base,
    interactive: { ...base, tooltip: { trigger: 'item' } },
    caption: `Each point is a run at its last measured checkpoint (labelled by run id). ${s.x.label} against ${s.y.label}, with rank (Kendall tau-b) and linear (Pearson) correlation.`,
  };
}

/** Every figure the report shows, in order; figures without data were dropped by collectReportData. */
export function reportFigures(data: ReportData): ReportFigure[] {
  return [
    ...data.figures.map((f) => lineFigure(data, f)),
    ...(data.scatter.points.length ? [scatterFigure(data)] : []),
    ...(data.crossLingual?.points.length ? [crossLingualFigure(data.crossLingual)] : []),
  ];
}

/** A standalone SVG document of one figure, rendered without a DOM. */
export function renderSvg(fig: ReportFigure): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: fig.width, height: fig.height });
  try {
    chart.setOption(fig.static);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
