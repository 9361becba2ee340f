import { Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { Chart } from '../../charts/Chart';
import { groupedScatterOption } from '../../charts/cross-lingual-option';
import { ChartActions } from './ChartActions';
import { CROSS_X, CROSS_Y, crossLingualData, type CrossX, type CrossY } from './eval-sets';

const Y_LABEL: Record<CrossY, string> = { gap_loss: 'perplexity gap (gap_loss)', perplexity: 'perplexity', loss: 'loss' };

/**
 * Per evaluation set and checkpoint: the set's perplexity gap (gap_loss = loss(set) - train_loss, i.e. the
 * log of the perplexity ratio) against a head measure on that set, with Kendall's tau and Pearson's rho
 * over all sets x checkpoints of the chosen runs.
 */
export function CrossLingualPanel({
  runs,
  series,
  sets,
  x,
  y,
  onChange,
}: {
  runs: Run[];
  series: MetricSeries[];
  sets: string[];
  x: CrossX;
  y: CrossY;
  onChange: (patch: { crossX?: CrossX; crossY?: CrossY }) => void;
}) {
  const data = useMemo(() => crossLingualData(series, runs, sets, x, y), [series, runs, sets, x, y]);
  const r3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'undefined');
  const n = data.points.length;
  const title =
    n < 2
      ? `needs two or more (set, checkpoint) points with both values (${n} so far)`
      : `Kendall τ = ${r3(data.tau)}   Pearson ρ = ${r3(data.rho)}   (n = ${n} set x checkpoint points)`;
  const xName = `${x} (per set)`;
  const yName = Y_LABEL[y];
  const option = useMemo(
    () =>
      groupedScatterOption({
        points: data.points.map((p) => ({ group: p.set, name: `${p.run} @ step ${p.step}`, x: p.x, y: p.y })),
        xName,
        yName,
        title,
      }),
    [data, xName, yName, title],
  );
  return (
    <Card withBorder component="section" aria-label="Cross-lingual">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>Cross-lingual: generalisation gap against the head, per evaluation set</Title>
          <ChartActions
            option={option}
            name="cross-lingual"
            size={{ width: 900, height: 500 }}
            csv={() => ({ header: ['run', 'set', 'step', x, y], rows: data.points.map((p) => [p.run, p.set, p.step, p.x, p.y]) })}
          />
        </Group>
        <Group>
          <SegmentedControl
            size="xs"
            aria-label="Head measure"
            data={[...CROSS_X]}
            value={x}
            onChange={(v) => onChange({ crossX: v as CrossX })}
          />
          <Text size="xs">against</Text>
          <SegmentedControl
            size="xs"
            aria-label="Set against"
            data={[...CROSS_Y]}
            value={y}
            onChange={(v) => onChange({ crossY: v as CrossY })}
          />
        </Group>
        <Chart option={option} height={360} label="Cross-lingual scatter" />
        <Text size="xs" c="dimmed">
          One point per run, evaluation set and checkpoint where both were measured; one colour per set. τ and ρ are over all points.
        </Text>
        {data.missingY.length > 0 && (
          <Text size="xs" c="orange">
            No {y} for {data.missingY.join(', ')}: a dump set names its training set (train_set) for gap_loss to exist.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
