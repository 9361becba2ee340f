import { Box } from '@mantine/core';
import type { EChartsCoreOption } from './echarts';
import { useECharts } from './use-echarts';

/** A chart box; `label` names it for screen readers and tests. */
export function Chart({ option, height = 260, label }: { option: EChartsCoreOption; height?: number; label: string }) {
  const { ref } = useECharts(option);
  return <Box ref={ref} h={height} w="100%" role="img" aria-label={label} />;
}
