import { Card, Group, MultiSelect, SegmentedControl, Slider, Stack, Switch, Text, Title } from '@mantine/core';
import { ChartLine } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { Project } from '../../../../shared/domain/types';
import { useSeries } from '../../api/live';
import { useMetricKeys, useRuns } from '../../api/queries';
import { Chart } from '../../charts/Chart';
import { stackedHeight, stackedOption } from '../../charts/stacked-option';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';
import { MetricHelp } from '../../components/MetricHelp';
import { ChartActions } from './ChartActions';
import { buildPanels, DEFAULT_CHOICES, metricChoices, runLabel } from './compare-data';
import { DEFAULT_SCATTER, MetricScatter } from './MetricScatter';

/** Pick runs and metrics; see them over training, stacked and x-aligned, and against each other. */
export function CompareView({ project, picked, setPicked }: { project: Project | null; picked: string[]; setPicked: (ids: string[]) => void }) {
  const runs = useRuns(project?.id ?? null);
  const keys = useMetricKeys();
  const choices = useMemo(() => metricChoices(keys.data ?? []), [keys.data]);
  const [metrics, setMetrics] = useState<string[]>(DEFAULT_CHOICES);
  const [x, setX] = useState<'epoch' | 'step'>('epoch');
  const [logX, setLogX] = useState(true);
  const [smoothing, setSmoothing] = useState(0);
  const [group, setGroup] = useState(false);
  const [scatter, setScatter] = useState(DEFAULT_SCATTER);

  const selectedRuns = (runs.data ?? []).filter((r) => picked.includes(String(r.id)));
  const chosen = metrics.map((m) => choices.find((c) => c.value === m)).filter((c) => !!c);
  const scatterKeys = [scatter.x, scatter.y].map((v) => v.split('|')[0]);
  const allKeys = [...new Set([...chosen.map((c) => c.key), ...scatterKeys])];
  const series = useSeries(selectedRuns.map((r) => r.id), allKeys);
  const panels = useMemo(() => buildPanels(series.data ?? [], selectedRuns, chosen, { x, group }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [series.data, picked.join(), metrics.join(), x, group, runs.data]);
  const option = useMemo(() => stackedOption({ panels, xName: x, logX, smoothing }), [panels, x, logX, smoothing]);

  if (!project) return <EmptyState icon={ChartLine} title="Choose a project">Compare works on the runs of one project.</EmptyState>;
  if (runs.data && runs.data.length === 0) {
    return <EmptyState icon={ChartLine} title="Nothing to compare yet">Train or import runs in {project.name}; their metrics can then be compared here.</EmptyState>;
  }
  return (
    <Stack>
      <Title order={2}>Compare · {project.name}</Title>
      <ErrorText error={runs.error ?? series.error} />
      <Card withBorder>
        <Stack gap="sm">
          <Group align="flex-end" grow>
            <MultiSelect label="Runs" placeholder="Pick runs" searchable clearable
              data={(runs.data ?? []).map((r) => ({ value: String(r.id), label: runLabel(r) }))} value={picked} onChange={setPicked} />
            <MultiSelect label="Metrics" searchable data={choices.map((c) => ({ value: c.value, label: c.label }))} value={metrics} onChange={setMetrics} />
          </Group>
          <Group gap="xl">
            <SegmentedControl size="xs" aria-label="x axis" data={[{ value: 'epoch', label: 'epoch' }, { value: 'step', label: 'step' }]} value={x} onChange={(v) => setX(v as 'epoch' | 'step')} />
            <Switch size="xs" label="log x" checked={logX} onChange={(e) => setLogX(e.currentTarget.checked)} />
            <Switch size="xs" label="group seeds (mean ± std)" checked={group} onChange={(e) => setGroup(e.currentTarget.checked)} />
            <Group gap="xs" w={260}>
              <Text size="xs">smoothing</Text>
              <Slider aria-label="Smoothing" size="xs" min={0} max={0.99} step={0.01} value={smoothing} onChange={setSmoothing} style={{ flex: 1 }} />
            </Group>
          </Group>
          {!!chosen.length && (
            <Group gap={6}>
              <Text size="xs" c="dimmed">Definitions:</Text>
              {chosen.map((c) => {
                const info = keys.data?.find((k) => k.key === c.key);
                return info ? <MetricHelp key={c.value} info={info} label={c.label} /> : null;
              })}
            </Group>
          )}
        </Stack>
      </Card>
      {selectedRuns.length === 0 ? (
        <EmptyState icon={ChartLine} title="Pick runs to compare">The charts show the chosen metrics over training, one panel per metric, zoomed together.</EmptyState>
      ) : (
        <>
          <Card withBorder component="section" aria-label="Metrics over training">
            <Group justify="space-between" mb="xs">
              <Title order={4}>Over training</Title>
              <ChartActions option={option} name="metrics-over-training" size={{ width: 1100, height: stackedHeight(panels.length) }}
                csv={() => ({
                  header: ['metric', 'series', x, 'value'],
                  rows: panels.flatMap((p) => p.series.flatMap((s) => s.x.map((xv, i) => [p.title, s.name, xv, s.y[i]]))),
                })} />
            </Group>
            <Chart option={option} height={stackedHeight(panels.length)} label="Stacked metric charts" />
            {panels.some((p) => p.series.length === 0) && (
              <Text size="xs" c="dimmed">Panels without lines have no values yet: compute metrics on the runs' checkpoints (Runs → Compute metrics).</Text>
            )}
          </Card>
          <MetricScatter runs={selectedRuns} series={series.data ?? []} choices={choices} xChoice={scatter.x} yChoice={scatter.y}
            onChange={(sx, sy) => setScatter({ x: sx, y: sy })} />
        </>
      )}
    </Stack>
  );
}
