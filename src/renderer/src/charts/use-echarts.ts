import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { echarts, type EChartsCoreOption } from './echarts';

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
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true, lazyUpdate: true });
  }, [option, scheme, renderer]);

  return { ref, chart };
}
