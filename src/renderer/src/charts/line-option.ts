import type { EChartsCoreOption } from './echarts';
import { sig, tooltipFormatter, WHEEL_ZOOM } from './format';

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

export interface LineOptionInput {
  series: Series[];
  xName: string;
  yName: string;
  logX?: boolean;
  logY?: boolean;
}

/**
 * Pure: series in, ECharts option out (tested without a DOM). Log axes drop non-positive points, which log
 * scales cannot show; where that would leave nothing to draw (an import's one checkpoint at step 0) the axis
 * is linear instead. A series of one point is drawn as a symbol (a line through one point is invisible).
 */
export function lineOption({ series, xName, yName, logX: askedLogX = false, logY: askedLogY = false }: LineOptionInput): EChartsCoreOption {
  const finite = series.flatMap((s) => s.x.flatMap((x, i) => (Number.isFinite(x) && Number.isFinite(s.y[i]) ? [[x, s.y[i]]] : [])));
  const logX = askedLogX && finite.some(([x]) => x > 0);
  const logY = askedLogY && finite.some(([, y]) => y > 0);
  const keep = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0);
  return {
    animation: false,
    grid: { left: 64, right: 24, top: 36, bottom: 76 },
    legend: { type: 'scroll', top: 0 },
    tooltip: { trigger: 'axis', formatter: tooltipFormatter([yName], xName) },
    dataZoom: [
      { type: 'inside', ...WHEEL_ZOOM },
      { type: 'slider', height: 16, bottom: 6 },
    ],
    xAxis: { type: logX ? 'log' : 'value', name: xName, nameLocation: 'middle', nameGap: 26 },
    // the name runs along the axis: at its top it would collide with a legend of three or more series
    yAxis: {
      type: logY ? 'log' : 'value',
      name: yName,
      nameLocation: 'middle',
      nameGap: 44,
      scale: true,
      axisLabel: { formatter: (v: number) => sig(v) },
    },
    series: series.map((s) => {
      const data = s.x.flatMap((x, i) => (keep(x, s.y[i]) ? [[x, s.y[i]]] : []));
      return { name: s.name, type: 'line', showSymbol: data.length === 1, sampling: 'lttb', data };
    }),
  };
}
