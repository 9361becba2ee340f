import { ema } from '../../../shared/domain/stats';
import type { EChartsCoreOption } from './echarts';
import { sig, tooltipFormatter, WHEEL_ZOOM } from './format';
import type { Series } from './line-option';

export interface Panel {
  title: string;
  series: Series[];
  logY?: boolean;
  /** Shaded mean +- std band per series name, when runs are grouped over seeds. */
  bands?: Record<string, { lower: number[]; upper: number[] }>;
}

export interface StackedInput {
  panels: Panel[];
  xName: string;
  logX?: boolean;
  /** EMA weight in [0, 1): 0 = raw. */
  smoothing?: number;
  panelHeight?: number;
}

const TOP = 40;
const GAP = 36;

/** Pixel top of panel i's plot area (its title sits 18 px above): for controls laid over the chart. */
export const panelTop = (i: number, panelHeight = 150) => TOP + i * (panelHeight + GAP);

/**
 * x-aligned stacked panels in ONE chart (one grid per metric, all x axes driven by the same dataZoom
 * and axis pointer), so zoom and tooltip are synchronised by construction: the layout of figure 1
 * of Han et al. 2025. Pure: tested without a DOM.
 */
export function stackedOption({
  panels,
  xName,
  logX: askedLogX = false,
  smoothing = 0,
  panelHeight = 150,
}: StackedInput): EChartsCoreOption {
  // a log x axis with no positive x (imports measured at step 0 alone) would hide every point: linear then
  const logX = askedLogX && panels.some((p) => p.series.some((s) => s.x.some((x) => Number.isFinite(x) && x > 0)));
  // likewise per panel: a log y axis only where some value is positive (a loss of exactly 0 stays visible)
  const logYs = panels.map((p) => !!p.logY && p.series.some((s) => s.y.some((y) => Number.isFinite(y) && y > 0)));
  const ok = (x: number, y: number, logY?: boolean) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0);
  // outerBoundsMode 'none': ECharts 6 would otherwise shift a grid to fit wide labels, misaligning the x axes.
  const grid = panels.map((_, i) => ({ left: 72, right: 24, top: panelTop(i, panelHeight), height: panelHeight, outerBoundsMode: 'none' }));
  const axisIndex = panels.map((_, i) => i);
  const series = panels.flatMap((p, i) => [
    ...p.series.map((s) => {
      const data = ema(s.y, smoothing).flatMap((y, j) => (ok(s.x[j], y, logYs[i]) ? [[s.x[j], y]] : []));
      // one point is drawn as a symbol: a line through it alone would be invisible
      const showSymbol = data.length === 1;
      return {
        id: `line:${i}:${s.name}`,
        name: s.name,
        type: 'line',
        xAxisIndex: i,
        yAxisIndex: i,
        showSymbol,
        sampling: 'lttb',
        large: true,
        data,
      };
    }),
    ...Object.entries(p.bands ?? {}).flatMap(([name, b]) => {
      const x = p.series.find((s) => s.name === name)?.x ?? [];
      // Stacked pair: an invisible lower line, then (upper - lower) filled on top of it.
      const stack = `band-${i}-${name}`;
      return [
        {
          id: `band:${i}:${name}:lower`,
          name,
          type: 'line',
          xAxisIndex: i,
          yAxisIndex: i,
          stack,
          symbol: 'none',
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          data: b.lower.map((y, j) => [x[j], y]),
        },
        {
          id: `band:${i}:${name}:width`,
          name,
          type: 'line',
          xAxisIndex: i,
          yAxisIndex: i,
          stack,
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { opacity: 0.18 },
          tooltip: { show: false },
          data: b.upper.map((y, j) => [x[j], y - b.lower[j]]),
        },
      ];
    }),
  ]);
  return {
    animation: false,
    // clear of the per-panel 'log y' switches the view lays over the chart's right edge
    legend: { type: 'scroll', top: 0, left: 72, right: 110 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: tooltipFormatter(
        panels.map((p) => p.title),
        xName,
      ),
    },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    dataZoom: [
      { type: 'inside', xAxisIndex: axisIndex, ...WHEEL_ZOOM },
      { type: 'slider', xAxisIndex: axisIndex, height: 16, bottom: 6 },
    ],
    grid,
    title: panels.map((p, i) => ({
      text: p.title,
      left: 72,
      top: panelTop(i, panelHeight) - 18,
      textStyle: { fontSize: 12, fontWeight: 'normal' },
    })),
    xAxis: panels.map((_, i) => ({
      type: logX ? 'log' : 'value',
      gridIndex: i,
      name: i === panels.length - 1 ? xName : '',
      nameLocation: 'middle',
      nameGap: 24,
      axisLabel: { show: i === panels.length - 1 },
    })),
    yAxis: panels.map((_, i) => ({
      type: logYs[i] ? 'log' : 'value',
      gridIndex: i,
      scale: true,
      axisLabel: { formatter: (v: number) => sig(v) },
    })),
    series,
  };
}

/** Total pixel height the stacked chart needs. */
export const stackedHeight = (panels: number, panelHeight = 150) => TOP + panels * (panelHeight + GAP) + 24;
