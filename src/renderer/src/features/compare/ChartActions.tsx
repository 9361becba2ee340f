import { Button, Group } from '@mantine/core';
import { Download } from 'lucide-react';
import type { EChartsCoreOption } from '../../charts/echarts';
import { downloadCsv, exportChart } from '../../charts/export';

/** PNG, SVG and CSV exports of one chart (and the table of numbers behind it). */
export function ChartActions({
  option,
  name,
  size,
  csv,
}: {
  option: EChartsCoreOption;
  name: string;
  size: { width: number; height: number };
  csv: () => { header: string[]; rows: unknown[][] };
}) {
  return (
    <Group gap={4}>
      {(['png', 'svg'] as const).map((f) => (
        <Button
          key={f}
          size="compact-xs"
          variant="subtle"
          leftSection={<Download size={12} />}
          onClick={() => exportChart(option, f, name, size)}
        >
          {f.toUpperCase()}
        </Button>
      ))}
      <Button
        size="compact-xs"
        variant="subtle"
        leftSection={<Download size={12} />}
        onClick={() => {
          const { header, rows } = csv();
          downloadCsv(name, header, rows);
        }}
      >
        CSV
      </Button>
    </Group>
  );
}
