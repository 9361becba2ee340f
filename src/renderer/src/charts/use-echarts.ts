import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { echarts, type EChartsCoreOption } from './echarts';

/**
 * ECharts 6's default palette with its slate third colour (#505372) swapped for a light one on the dark theme,
 * where the slate line vanished into the background (a third run in Compare could not be seen).
 */
export const DARK_PALETTE = ['#5070dd', '#b6d634', '#c0c6e4', '#ff994d', '#0ca8df', '#ffd10a', '#fb628b', '#a58be0', '#3fbe95'];

/** Owns one ECharts instance on a div: created on mount, resized with its box, re-themed, disposed on unmount. */
export function useECharts(option: EChartsCoreOption, renderer: 'canvas' | 'svg' = 'canvas') {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current, scheme === 'dark' ? 'dark' : undefined, { renderer });
    chart.current = c;
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(ref.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [scheme, renderer]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    // Render time of each update, on the element: what `npm run bench:ui` reads, and handy when profiling.
    const started = performance.now();
    c.on('finished', function done() {
      c.off('finished', done);
      ref.current?.setAttribute('data-render-ms', (performance.now() - started).toFixed(1));
    });
    c.setOption(
      { backgroundColor: 'transparent', ...(scheme === 'dark' ? { color: DARK_PALETTE } : {}), ...option },
      { notMerge: true, lazyUpdate: true },
    );
  }, [option, scheme, renderer]);

  return { ref, chart };
}
