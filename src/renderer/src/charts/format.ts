/** Number formatting and wheel behaviour shared by the chart option builders. Pure. */

/**
 * A value to `digits` significant digits without float noise (0.30000000000000004 -> 0.3): plain notation
 * between 1e-3 and 1e5, exponential outside (kappa spans decades). Integers up to 1e5 stay whole.
 */
export function sig(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** An x value (epoch, step): whole numbers as they are, anything else to significant digits. */
export const xLabel = (x: number) => (Number.isInteger(x) ? String(x) : sig(x));

/** Escapes text that goes into a tooltip's HTML (run names are user text). */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/**
 * The plain wheel scrolls the page: a chart that zooms on it traps the reader half-way down Compare.
 * Ctrl+wheel (and a trackpad pinch, which browsers send as one) zooms; Shift+wheel pans; so does the slider.
 */
export const WHEEL_ZOOM = { zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: 'shift', preventDefaultMouseMove: false } as const;

interface AxisParam {
  seriesId?: string;
  seriesName: string;
  axisIndex: number;
  marker: string;
  value: [number, number];
}

/**
 * The axis tooltip: the x value, then each panel's lines under its title, values to 4 significant digits
 * (raw floats such as 0.30000000000000004 say nothing). Band series carry no values of their own.
 */
export function tooltipFormatter(titles: string[], xName: string) {
  return (raw: AxisParam | AxisParam[]) => {
    // ECharts lists the hovered panel first; the reader expects the panels' top-to-bottom order
    const params = (Array.isArray(raw) ? raw : [raw])
      .filter((p) => !p.seriesId?.startsWith('band:') && Array.isArray(p.value))
      .sort((a, b) => a.axisIndex - b.axisIndex);
    if (!params.length) return '';
    const lines = [`${escapeHtml(xName)} ${xLabel(params[0].value[0])}`];
    let panel = -1;
    for (const p of params) {
      if (p.axisIndex !== panel && titles.length > 1) lines.push(`<b>${escapeHtml(titles[p.axisIndex] ?? '')}</b>`);
      panel = p.axisIndex;
      lines.push(`${p.marker}${escapeHtml(p.seriesName)}&nbsp;&nbsp;<b>${sig(p.value[1])}</b>`);
    }
    return lines.join('<br/>');
  };
}
