import { Card, Group, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { Chart } from '../../charts/Chart';
import { scatterOption } from '../../charts/scatter-option';
import { ChartActions } from './ChartActions';
import { hyperparameterChoices, scatterData, type Choice } from './compare-data';

/** Final value of one metric against another across runs, with Kendall's tau and Pearson's rho over the finished ones. */
export function MetricScatter({
  runs,
  series,
  choices,
  xChoice,
  yChoice,
  logX,
  onChange,
}: {
  runs: Run[];
  series: MetricSeries[];
  choices: Choice[];
  xChoice: string;
  yChoice: string;
  logX: boolean;
  onChange: (patch: { scatterX?: string; scatterY?: string; scatterLogX?: boolean }) => void;
}) {
  const axes = useMemo(() => [...hyperparameterChoices(runs), ...choices], [runs, choices]);
  const options = axes.map((c) => ({ value: c.value, label: c.label }));
  const xc = axes.find((c) => c.value === xChoice);
  const yc = axes.find((c) => c.value === yChoice);
  const data = useMemo(() => (xc && yc ? scatterData(series, runs, xc, yc) : null), [series, runs, xc, yc]);
  const points = useMemo(() => data?.points ?? [], [data]);
  const canLog = points.length > 0 && points.every((p) => p.x > 0);
  // a side constant over the runs leaves the coefficients undefined (NaN): say so rather than print NaN
  const r3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'undefined');
  const stats =
    !data || data.n < 2
      ? `needs two or more finished runs with both values (${data?.n ?? 0} so far)`
      : `Kendall τ = ${r3(data.tau)}   Pearson ρ = ${r3(data.rho)}   (n = ${data.n} finished runs)`;
  const [xName, yName] = [xc?.label ?? xChoice, yc?.label ?? yChoice];
  const option = useMemo(
    () => scatterOption({ points, xName, yName, title: stats, logX: logX && canLog }),
    [points, xName, yName, stats, logX, canLog],
  );
  const leftOut = data?.leftOut ?? [];
  return (
    <Card withBorder component="section" aria-label="Metric against metric">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>Metric against metric or setting (final values)</Title>
          <ChartActions
            option={option}
            name="metric-vs-metric"
            size={{ width: 900, height: 500 }}
            csv={() => ({ header: ['run', xName, yName, 'counted'], rows: points.map((p) => [p.name, p.x, p.y, p.counted]) })}
          />
        </Group>
        <Group>
          <Select
            label="x"
            size="xs"
            searchable
            data={options}
            value={xChoice}
            allowDeselect={false}
            onChange={(v) => v && onChange({ scatterX: v })}
          />
          <Switch
            label="log x"
            size="xs"
            mt={22}
            checked={logX && canLog}
            disabled={!canLog}
            onChange={(e) => onChange({ scatterLogX: e.currentTarget.checked })}
          />
          <Select
            label="y"
            size="xs"
            searchable
            data={options}
            value={yChoice}
            allowDeselect={false}
            onChange={(v) => v && onChange({ scatterY: v })}
          />
        </Group>
        <Chart option={option} height={360} label="Metric scatter" />
        <Text size="xs" c="dimmed">
          Each point is a run at its last measured checkpoint. τ and ρ count finished runs only (succeeded or imported).
        </Text>
        {leftOut.length > 0 && (
          <Text size="xs" c="orange" aria-label="Runs left out of the correlations">
            Drawn hollow, not counted: {leftOut.map((r) => `${r.name} (${r.status})`).join(', ')}.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
