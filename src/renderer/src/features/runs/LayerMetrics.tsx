import { Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { LayerKind } from '../../../../shared/domain/layer-names';
import { keysOfProducer } from '../../../../shared/domain/metrics';
import { useSeries } from '../../api/live';
import { Chart } from '../../charts/Chart';
import { heatmapOption } from '../../charts/heatmap-option';
import { lineOption } from '../../charts/line-option';
import { kindSeries, kindsPresent, layerGrid } from './layer-metrics';

/** The weights-only keys (fro_norm, spectral_norm, stable_rank, ww_alpha, dist_from_init), from the registry. */
const WEIGHT_KEYS = keysOfProducer('weights-only');

/**
 * Weights-only metrics per layer across a run's checkpoints: a layer x checkpoint heatmap of the chosen
 * key, and its series per layer kind (the mean over layers of each kind, or every layer of one kind).
 * Shown when the run has per-layer rows (an imported language model, or any run measured per tensor).
 */
export function LayerMetrics({ runId }: { runId: number }) {
  const series = useSeries([runId], WEIGHT_KEYS);
  const [key, setKey] = useState('spectral_norm');
  const [kind, setKind] = useState<LayerKind | 'mean'>('mean');
  const present = useMemo(() => WEIGHT_KEYS.filter((k) => (series.data ?? []).some((s) => s.key === k && s.layer !== '')), [series.data]);
  const shown = present.includes(key) ? key : (present[0] ?? key);
  const grid = useMemo(() => layerGrid(series.data ?? [], shown), [series.data, shown]);
  const kinds = useMemo(() => kindsPresent(series.data ?? [], shown), [series.data, shown]);
  const heat = useMemo(
    () => heatmapOption({ x: grid.steps, y: grid.labels, cells: grid.cells, xName: 'step', valueName: shown }),
    [grid, shown],
  );
  const lines = useMemo(
    () =>
      lineOption({
        series: kindSeries(series.data ?? [], shown, kinds.includes(kind as LayerKind) ? kind : 'mean'),
        xName: 'step',
        yName: shown,
      }),
    [series.data, shown, kind, kinds],
  );
  if (!grid.layers.length) return null;
  return (
    <Card withBorder component="section" aria-label="Layer metrics">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>Weights per layer</Title>
          <SegmentedControl
            size="xs"
            aria-label="Layer metric"
            value={shown}
            onChange={setKey}
            data={present.map((k) => ({ value: k, label: k }))}
          />
        </Group>
        <Text size="xs" c="dimmed">
          {grid.layers.length} weight matrices × {grid.steps.length} checkpoint{grid.steps.length === 1 ? '' : 's'}; rows by block, then
          kind (q/k/v/o or fused qkv, MLP gate/up/down); norms are not matrices and are left out.
        </Text>
        <SimpleGrid cols={{ base: 1, xl: 2 }}>
          <Chart option={heat} height={Math.min(900, Math.max(260, 14 * grid.layers.length + 60))} label="Layer by checkpoint heatmap" />
          <Stack gap={4}>
            <Select
              size="xs"
              aria-label="Layer kind"
              w={220}
              allowDeselect={false}
              value={kinds.includes(kind as LayerKind) ? kind : 'mean'}
              onChange={(v) => setKind((v ?? 'mean') as LayerKind | 'mean')}
              data={[{ value: 'mean', label: 'mean per kind' }, ...kinds.map((k) => ({ value: k, label: `every ${k} layer` }))]}
            />
            <Chart option={lines} label="Layer kind series" />
          </Stack>
        </SimpleGrid>
      </Stack>
    </Card>
  );
}
