import { Box, Card, Group, MultiSelect, SegmentedControl, Slider, Stack, Switch, Text, Title } from '@mantine/core';
import { ChartLine } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import type { Project } from '../../../../shared/domain/types';
import { useSeries } from '../../api/live';
import { useMetricKeys, useRuns } from '../../api/queries';
import { Chart } from '../../charts/Chart';
import { panelTop, stackedHeight, stackedOption } from '../../charts/stacked-option';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';
import { MetricHelp } from '../../components/MetricHelp';
import { ChartActions } from './ChartActions';
import { buildPanels, metricChoices, runLabel } from './compare-data';
import { CrossLingualPanel } from './CrossLingualPanel';
import { evalSetsIn, setChoices } from './eval-sets';
import { MetricScatter } from './MetricScatter';
import { useCompareState } from './use-compare-state';

/**
 * Pick runs and metrics; see them over training, stacked and x-aligned, and against each other.
 * The whole view lives in the URL (see compare-url.ts): it survives navigation and can be bookmarked or shared.
 */
export function CompareView({ project, setProject }: { project: Project | null; setProject: (id: number) => void }) {
  const runs = useRuns(project?.id ?? null);
  const keys = useMetricKeys();
  const choices = useMemo(() => metricChoices(keys.data ?? []), [keys.data]);
  const perSet = useMemo(() => setChoices(keys.data ?? []), [keys.data]);
  const [s, set] = useCompareState(project?.id ?? null, setProject);
  // the slider moves the lines as it is dragged; the URL takes the value where it stops
  const [smoothing, setSmoothing] = useState(s.smoothing);
  useEffect(() => setSmoothing(s.smoothing), [s.smoothing]);

  const selectedRuns = (runs.data ?? []).filter((r) => s.runs.includes(String(r.id)));
  const chosen = s.metrics.map((m) => [...choices, ...perSet].find((c) => c.value === m)).filter((c) => !!c);
  const scatterKeys = [s.scatterX, s.scatterY].map((v) => v.split('|')[0]);
  // loss finds the evaluation sets the runs have; the cross-lingual panel's two keys come along
  const allKeys = [...new Set([...chosen.map((c) => c.key), ...scatterKeys, 'loss', s.crossX, s.crossY])];
  const series = useSeries(
    selectedRuns.map((r) => r.id),
    allKeys,
  );
  const available = useMemo(() => evalSetsIn(series.data ?? []), [series.data]);
  // the sets chosen, else every set the runs have
  const sets = s.sets.length ? s.sets.filter((x) => available.includes(x)) : available;
  const panels = useMemo(
    () =>
      buildPanels(series.data ?? [], selectedRuns, chosen, { x: s.x, group: s.group, sets }).map((p, i) => ({
        ...p,
        logY: s.logY[chosen[i].value] ?? p.logY,
      })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [series.data, s.runs.join(), s.metrics.join(), s.x, s.group, s.logY, runs.data, choices, sets.join()],
  );
  const option = useMemo(() => stackedOption({ panels, xName: s.x, logX: s.logX, smoothing }), [panels, s.x, s.logX, smoothing]);

  if (!project)
    return (
      <EmptyState icon={ChartLine} title="Choose a project">
        Compare works on the runs of one project.
      </EmptyState>
    );
  if (runs.data && runs.data.length === 0) {
    return (
      <EmptyState icon={ChartLine} title="Nothing to compare yet">
        Train or import runs in {project.name}; their metrics can then be compared here.
      </EmptyState>
    );
  }
  return (
    <Stack>
      <Title order={2}>Compare · {project.name}</Title>
      <ErrorText error={runs.error ?? series.error} />
      <Card withBorder>
        <Stack gap="sm">
          <Group align="flex-end" grow>
            <MultiSelect
              label="Runs"
              placeholder="Pick runs"
              searchable
              clearable
              data={(runs.data ?? []).map((r) => ({ value: String(r.id), label: runLabel(r) }))}
              value={s.runs}
              onChange={(v) => set({ runs: v })}
            />
            <MultiSelect
              label="Metrics"
              searchable
              data={[
                { group: 'Train, test, model', items: choices.map((c) => ({ value: c.value, label: c.label })) },
                { group: 'Per evaluation set', items: perSet.map((c) => ({ value: c.value, label: c.label })) },
              ]}
              value={s.metrics}
              onChange={(v) => set({ metrics: v })}
            />
            {available.length > 0 && (
              <MultiSelect
                label="Evaluation sets"
                placeholder={`all (${available.join(', ')})`}
                clearable
                data={available}
                value={s.sets.filter((x) => available.includes(x))}
                onChange={(v) => set({ sets: v })}
              />
            )}
          </Group>
          <Group gap="xl">
            <SegmentedControl
              size="xs"
              aria-label="x axis"
              data={['epoch', 'step']}
              value={s.x}
              onChange={(v) => set({ x: v as 'epoch' | 'step' })}
            />
            <Switch size="xs" label="log x" checked={s.logX} onChange={(e) => set({ logX: e.currentTarget.checked })} />
            <Switch
              size="xs"
              label="group seeds (mean ± std)"
              checked={s.group}
              onChange={(e) => set({ group: e.currentTarget.checked })}
            />
            <Group gap="xs" w={260}>
              <Text size="xs">smoothing</Text>
              <Slider
                aria-label="Smoothing"
                size="xs"
                min={0}
                max={0.99}
                step={0.01}
                value={smoothing}
                onChange={setSmoothing}
                onChangeEnd={(v) => set({ smoothing: v })}
                style={{ flex: 1 }}
              />
            </Group>
          </Group>
          {!!chosen.length && (
            <Group gap={6}>
              <Text size="xs" c="dimmed">
                Definitions:
              </Text>
              {chosen.map((c) => {
                const info = keys.data?.find((k) => k.key === c.key);
                return info ? <MetricHelp key={c.value} info={info} label={c.label} /> : null;
              })}
            </Group>
          )}
        </Stack>
      </Card>
      {selectedRuns.length === 0 ? (
        <EmptyState icon={ChartLine} title="Pick runs to compare">
          The charts show the chosen metrics over training, one panel per metric, zoomed together.
        </EmptyState>
      ) : (
        <>
          <Card withBorder component="section" aria-label="Metrics over training">
            <Group justify="space-between" mb="xs">
              <Title order={4}>Over training</Title>
              <ChartActions
                option={option}
                name="metrics-over-training"
                size={{ width: 1100, height: stackedHeight(panels.length) }}
                csv={() => ({
                  header: ['metric', 'series', s.x, 'value'],
                  rows: panels.flatMap((p) => p.series.flatMap((l) => l.x.map((xv, i) => [p.title, l.name, xv, l.y[i]]))),
                })}
              />
            </Group>
            <Box pos="relative">
              <Chart option={option} height={stackedHeight(panels.length)} label="Stacked metric charts" />
              {/* one y-axis switch per panel, on its title row; the default is the registry's hint */}
              {chosen.map((c, i) => (
                <Switch
                  key={c.value}
                  size="xs"
                  label="log y"
                  aria-label={`Log y axis: ${c.label}`}
                  checked={!!panels[i]?.logY}
                  onChange={(e) => set({ logY: { ...s.logY, [c.value]: e.currentTarget.checked } })}
                  style={{ position: 'absolute', right: 24, top: panelTop(i) - 20 }}
                />
              ))}
            </Box>
            <Text size="xs" c="dimmed">
              The wheel scrolls the page; Ctrl+wheel (or a pinch) zooms all panels together, Shift+wheel pans, and so does the slider below
              the chart.
            </Text>
            {panels.some((p) => p.series.length === 0) && (
              <Text size="xs" c="dimmed">
                Panels without lines have no values yet: compute metrics on the runs' checkpoints (Runs → Compute metrics).
              </Text>
            )}
          </Card>
          <MetricScatter
            runs={selectedRuns}
            series={series.data ?? []}
            choices={choices}
            xChoice={s.scatterX}
            yChoice={s.scatterY}
            logX={s.scatterLogX}
            onChange={set}
          />
          {available.length > 0 && (
            <CrossLingualPanel runs={selectedRuns} series={series.data ?? []} sets={sets} x={s.crossX} y={s.crossY} onChange={set} />
          )}
        </>
      )}
    </Stack>
  );
}
