import type { EChartsCoreOption } from './echarts';
import { sig } from './format';

const TITLE = { textStyle: { fontSize: 12, fontWeight: 'normal' } } as const;

/**
 * A tensor's histogram on a value axis: bars at the bin centres, ticks at round values that ECharts picks
 * (category ticks at the raw bin edges read as -0.0873, 0.0124, ...). The tooltip gives the bin's range.
 */
export function histogramOption(name: string, edges: number[], counts: number[]): EChartsCoreOption {
  const data = counts.map((c, i) => [(edges[i] + edges[i + 1]) / 2, c, edges[i], edges[i + 1]]);
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 28, bottom: 32 },
    title: { ...TITLE, text: `${name} values` },
    tooltip: {
      trigger: 'item',
      formatter: (p: { data: number[] }) => `[${sig(p.data[2], 3)}, ${sig(p.data[3], 3)}): <b>${p.data[1]}</b>`,
    },
    xAxis: {
      type: 'value',
      scale: true,
      min: edges[0],
      max: edges[edges.length - 1],
      axisLabel: { formatter: (v: number) => sig(v, 3), hideOverlap: true, showMinLabel: false, showMaxLabel: false },
    },
    yAxis: { type: 'value', name: 'count', minInterval: 1 },
    series: [{ type: 'bar', data, barWidth: '100%', barCategoryGap: 0 }],
  };
}

/** The smallest 1, 2, 2.5 or 5 x 10^k at or above x: an axis end that the ticks land on (no stray '1.7' beside '1.5'). */
export function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = [1, 2, 2.5, 5, 10].find((n) => n * p >= x * (1 - 1e-12))!;
  return Number((m * p).toPrecision(12));
}

export interface Geometry {
  classes: number[];
  points: [number, number][];
  explained: number;
}

/**
 * The class means in the plane of their first two principal components, beside the ideal simplex ETF of the
 * same mean norm. The square axes reach past the farthest point of either set, so nothing is clipped.
 */
export function classMeansOption(geometry: Geometry): EChartsCoreOption {
  const C = geometry.points.length;
  const radius = geometry.points.reduce((s, [x, y]) => s + Math.hypot(x, y), 0) / C;
  // The collapsed ideal: C equal-norm means at equal angles (a simplex ETF seen along its symmetry axis when C = 3).
  const etf = Array.from({ length: C }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / C), radius * Math.sin((2 * Math.PI * k) / C)]);
  const farthest = Math.max(radius, ...geometry.points.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y))));
  const lim = niceCeil((farthest || 1) * 1.1);
  const axis = (name: string) => ({
    type: 'value',
    min: -lim,
    max: lim,
    name,
    nameLocation: 'middle',
    nameGap: 28,
    axisLabel: { formatter: (v: number) => sig(v, 2), hideOverlap: true },
    splitLine: { lineStyle: { opacity: 0.4 } },
  });
  return {
    animation: false,
    title: { ...TITLE, text: `class means (${(geometry.explained * 100).toFixed(0)}% of their spread in this plane)` },
    legend: { bottom: 0 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; data: (number | string)[] }) =>
        `${p.data[2] ?? p.seriesName}: (${sig(Number(p.data[0]), 3)}, ${sig(Number(p.data[1]), 3)})`,
    },
    grid: { left: 64, right: 24, top: 40, bottom: 64, containLabel: false },
    xAxis: { ...axis('PC 1'), nameGap: 24 },
    yAxis: { ...axis('PC 2'), nameGap: 44 },
    series: [
      {
        name: 'class means',
        type: 'scatter',
        symbolSize: 12,
        data: geometry.points.map((p, i) => [...p, `class ${geometry.classes[i]}`]),
        label: { show: C <= 20, formatter: (p: { data: [number, number, string] }) => p.data[2].replace('class ', ''), position: 'right' },
      },
      { name: 'simplex ETF (same mean norm)', type: 'scatter', symbol: 'diamond', symbolSize: 9, itemStyle: { opacity: 0.45 }, data: etf },
    ],
  };
}
