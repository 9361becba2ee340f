import type { EChartsCoreOption } from './echarts';
import { escapeHtml, sig } from './format';

export interface GroupedPoint {
  /** the legend group (an evaluation set) */
  group: string;
  /** what the tooltip names (run and checkpoint) */
  name: string;
  x: number;
  y: number;
}

/**
 * One scatter series per group (a colour per evaluation set), every point named in its tooltip; the
 * correlations go in the title. Pure: tested without a DOM.
 */
export function groupedScatterOption({
  points,
  xName,
  yName,
  title,
}: {
  points: readonly GroupedPoint[];
  xName: string;
  yName: string;
  title: string;
}): EChartsCoreOption {
  const groups = [...new Set(points.map((p) => p.group))];
  const axisLabel = { formatter: (v: number) => sig(v) };
  return {
    animation: false,
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    legend: { show: groups.length > 0, bottom: 0, data: groups },
    grid: { left: 72, right: 40, top: 36, bottom: 64 },
    tooltip: {
      trigger: 'item',
      formatter: ({ value: [x, y, name], seriesName }: { value: [number, number, string]; seriesName: string }) =>
        `${escapeHtml(seriesName)} · ${escapeHtml(name)}<br/>${escapeHtml(xName)}: ${sig(x)}<br/>${escapeHtml(yName)}: ${sig(y)}`,
    },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 28, scale: true, axisLabel },
    yAxis: { type: 'value', name: yName, scale: true, axisLabel },
    series: groups.map((g) => ({
      name: g,
      type: 'scatter',
      symbolSize: 9,
      data: points.filter((p) => p.group === g).map((p) => ({ value: [p.x, p.y, p.name] })),
    })),
  };
}
