import type { EChartsCoreOption } from './echarts';
import { escapeHtml, sig } from './format';

export interface ScatterPoint {
  name: string;
  x: number;
  y: number;
  /** Counted in the correlations (a finished run); others are drawn hollow. */
  counted: boolean;
}

export interface ScatterInput {
  points: ScatterPoint[];
  xName: string;
  yName: string;
  title: string;
  logX?: boolean;
}

/**
 * Final value against final value, one labelled point per run (labels that would overlap are hidden; the
 * tooltip still names every point). Runs left out of the correlations are hollow, in their own legend entry.
 * Pure: tested without a DOM.
 */
export function scatterOption({ points, xName, yName, title, logX = false }: ScatterInput): EChartsCoreOption {
  const canLog = logX && points.length > 0 && points.every((p) => p.x > 0);
  // names of points in the right half go to their left, so they stay inside the chart
  const xs = points.map((p) => (canLog ? Math.log(p.x) : p.x));
  const middle = (Math.min(...xs) + Math.max(...xs)) / 2;
  const data = (counted: boolean) =>
    points.flatMap((p, i) =>
      p.counted === counted ? [{ value: [p.x, p.y, p.name], label: { position: xs[i] > middle ? 'left' : 'right' } }] : [],
    );
  const axisLabel = { formatter: (v: number) => sig(v) };
  const label = { show: true, fontSize: 11, formatter: (p: { value: [number, number, string] }) => p.value[2] };
  const series = [
    { name: 'finished', type: 'scatter', symbolSize: 10, label, labelLayout: { hideOverlap: true }, data: data(true) },
    {
      name: 'not finished (not counted)',
      type: 'scatter',
      symbolSize: 10,
      label,
      labelLayout: { hideOverlap: true },
      itemStyle: { color: 'transparent', borderWidth: 2, borderColor: '#868e96' },
      data: data(false),
    },
  ].filter((s) => s.data.length);
  return {
    animation: false,
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    legend: { show: series.length > 1, bottom: 0 },
    grid: { left: 72, right: 96, top: 36, bottom: series.length > 1 ? 64 : 48 },
    tooltip: {
      trigger: 'item',
      formatter: ({ value: [x, y, name] }: { value: [number, number, string] }) =>
        `${escapeHtml(name)}<br/>${escapeHtml(xName)}: ${sig(x)}<br/>${escapeHtml(yName)}: ${sig(y)}`,
    },
    xAxis: { type: canLog ? 'log' : 'value', name: xName, nameLocation: 'middle', nameGap: 28, scale: true, axisLabel },
    yAxis: { type: 'value', name: yName, scale: true, axisLabel },
    series,
  };
}
