import type { EChartsCoreOption } from './echarts';
import { sig } from './format';

export interface HeatmapInput {
  /** Column labels (checkpoint steps), left to right. */
  x: (string | number)[];
  /** Row labels, top to bottom. */
  y: string[];
  /** [column, row, value]. */
  cells: [number, number, number][];
  xName: string;
  /** What the colour shows (the metric key). */
  valueName: string;
}

/**
 * Pure: a grid in, an ECharts heatmap option out (tested without a DOM). The first row is drawn at the
 * top, as a table reads; the colour scale spans the finite values, with a handle to narrow it.
 */
export function heatmapOption({ x, y, cells, xName, valueName }: HeatmapInput): EChartsCoreOption {
  const values = cells.map((c) => c[2]).filter(Number.isFinite);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 1;
  return {
    animation: false,
    grid: { left: 120, right: 116, top: 12, bottom: 44 }, // room for the colour bar's end labels (4 digits), left of the bar
    tooltip: {
      position: 'top',
      formatter: (p: { data: [number, number, number] }) => `${y[p.data[1]]} · ${xName} ${x[p.data[0]]}<br/>${valueName} ${sig(p.data[2])}`,
    },
    xAxis: { type: 'category', data: x.map(String), name: xName, nameLocation: 'middle', nameGap: 28, splitArea: { show: true } },
    // inverse: row 0 (the embeddings) on top
    yAxis: { type: 'category', data: y, inverse: true, axisLabel: { fontSize: 10, fontFamily: 'monospace' }, splitArea: { show: true } },
    visualMap: {
      type: 'continuous',
      min,
      max: max > min ? max : min + 1,
      calculable: true,
      orient: 'vertical',
      right: 8,
      top: 'middle',
      itemHeight: 160,
      formatter: (v: number) => sig(v),
      inRange: { color: ['#313695', '#4575b4', '#74add1', '#abd9e9', '#fee090', '#fdae61', '#f46d43', '#d73027', '#a50026'] },
    },
    series: [{ type: 'heatmap', name: valueName, data: cells, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } }],
  };
}
