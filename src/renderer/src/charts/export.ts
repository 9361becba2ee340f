import { echarts, type EChartsCoreOption } from './echarts';

function download(name: string, href: string) {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
}

/**
 * Saves a chart as PNG (canvas renderer, 2x pixels) or SVG (re-rendered off screen with the SVG
 * renderer, so text stays text). Both come from the same option, so they show the same thing.
 */
export function exportChart(option: EChartsCoreOption, format: 'png' | 'svg', name: string, size: { width: number; height: number }) {
  const div = document.createElement('div');
  div.style.cssText = `position:fixed;left:-10000px;top:0;width:${size.width}px;height:${size.height}px`;
  document.body.appendChild(div);
  const chart = echarts.init(div, undefined, { renderer: format === 'svg' ? 'svg' : 'canvas', width: size.width, height: size.height });
  try {
    chart.setOption({ ...option, backgroundColor: '#ffffff', animation: false });
    const url =
      format === 'svg'
        ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(chart.renderToSVGString())}`
        : chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
    download(`${name}.${format}`, url);
  } finally {
    chart.dispose();
    div.remove();
  }
}

/** Quotes a CSV cell when needed (RFC 4180). */
const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function downloadCsv(name: string, header: string[], rows: unknown[][]) {
  download(`${name}.csv`, URL.createObjectURL(new Blob([toCsv(header, rows)], { type: 'text/csv' })));
}
