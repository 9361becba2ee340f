import { Card, Group, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { kendallTau, pearson } from '../../../../shared/domain/stats';
import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { Chart } from '../../charts/Chart';
import { ChartActions } from './ChartActions';
import { choiceValue, finalValues, hyperparameterChoices, runLabel, type Choice } from './compare-data';

/** Final value of one metric against another across runs, with Kendall's tau and Pearson's rho. */
export function MetricScatter({ runs, series, choices, xChoice, yChoice, onChange }: {
  runs: Run[]; series: MetricSeries[]; choices: Choice[]; xChoice: string; yChoice: string; onChange: (x: string, y: string) => void;
}) {
  const axes = useMemo(() => [...hyperparameterChoices(runs), ...choices], [runs, choices]);
  const xc = axes.find((c) => c.value === xChoice);
  const yc = axes.find((c) => c.value === yChoice);
  const points = useMemo(() => {
    if (!xc || !yc) return [];
    const xs = finalValues(series, runs, xc);
    const ys = finalValues(series, runs, yc);
    return runs.filter((r) => xs.has(r.id) && ys.has(r.id)).map((r) => ({ name: runLabel(r), x: xs.get(r.id)!, y: ys.get(r.id)! }));
  }, [series, runs, xc, yc]);
  const [logX, setLogX] = useState(false);
  const canLog = points.length > 0 && points.every((p) => p.x > 0);
  const tau = kendallTau(points.map((p) => p.x), points.map((p) => p.y));
  const rho = pearson(points.map((p) => p.x), points.map((p) => p.y));
  const stats = points.length >= 2 ? `Kendall τ = ${tau.toFixed(3)}   Pearson ρ = ${rho.toFixed(3)}   (n = ${points.length})` : 'needs two or more runs with both metrics';
  const option = useMemo(() => ({
    animation: false,
    title: { text: stats, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    grid: { left: 72, right: 24, top: 36, bottom: 48 },
    tooltip: { trigger: 'item', formatter: (p: { data: [number, number, string] }) => `${p.data[2]}<br/>${p.data[0].toPrecision(4)}, ${p.data[1].toPrecision(4)}` },
    xAxis: { type: logX && canLog ? 'log' : 'value', name: xc?.label, nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: yc?.label, scale: true },
    series: [{ type: 'scatter', symbolSize: 10, data: points.map((p) => [p.x, p.y, p.name]) }],
  }), [points, stats, xc, yc, logX, canLog]);
  return (
    <Card withBorder component="section" aria-label="Metric against metric">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>Metric against metric or setting (final values)</Title>
          <ChartActions option={option} name="metric-vs-metric" size={{ width: 900, height: 500 }}
            csv={() => ({ header: ['run', xc?.label ?? xChoice, yc?.label ?? yChoice], rows: points.map((p) => [p.name, p.x, p.y]) })} />
        </Group>
        <Group>
          <Select label="x" size="xs" searchable data={axes.map((c) => ({ value: c.value, label: c.label }))} value={xChoice} allowDeselect={false} onChange={(v) => v && onChange(v, yChoice)} />
          <Switch label="log x" size="xs" mt={22} checked={logX} disabled={!canLog} onChange={(e) => setLogX(e.currentTarget.checked)} />
          <Select label="y" size="xs" searchable data={axes.map((c) => ({ value: c.value, label: c.label }))} value={yChoice} allowDeselect={false} onChange={(v) => v && onChange(xChoice, v)} />
        </Group>
        <Chart option={option} height={340} label="Metric scatter" />
        <Text size="xs" c="dimmed">Each point is a run at its last measured checkpoint.</Text>
      </Stack>
    </Card>
  );
}
export const DEFAULT_SCATTER = { x: choiceValue('kappa', 'train'), y: choiceValue('gap_acc', 'none') };
