import { Card, Group, MultiSelect, SimpleGrid, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { metricInfo, metricKeysWhere } from '../../../../shared/domain/metrics';
import { api } from '../../api/client';
import { useSeries } from '../../api/live';
import { Chart } from '../../charts/Chart';
import { lineOption } from '../../charts/line-option';
import { curves } from './run-curves';

/** Catalogue keys shown first when a run has them: a language model's per-set losses. */
const FIRST = ['perplexity', 'loss', 'gap_loss'];
/** Drawn elsewhere in the run view (its loss, accuracy and geometry charts, the weights per layer), or bookkeeping. */
const HIDDEN = new Set([...metricKeysWhere((d) => d.runView !== undefined || d.producer === 'weights-only'), 'lr', 'steps_per_s']);

/**
 * Every other series a run holds: what a user's script logged through the client, a TensorBoard / W&B / MLflow
 * import's tags, a language model's perplexity and per-language measures. Up to four at once, a panel each
 * with its own y axis (perplexity in the hundreds beside a gap near zero would flatten the gap), one line per
 * split or evaluation set; x = epoch (else step).
 */
export function LoggedSeries({ runId, live }: { runId: number; live: boolean }) {
  const stored = useQuery({
    queryKey: ['stored-keys', runId],
    queryFn: () => api.metrics.stored({ runId }),
    refetchInterval: live ? 5000 : false,
  });
  const keys = useMemo(
    () => [...new Set((stored.data ?? []).map((k) => k.key))].filter((k) => !HIDDEN.has(k) && !k.startsWith('intervention_')),
    [stored.data],
  );
  const [chosen, setChosen] = useState<string[] | null>(null);
  // first what a researcher looks at: a log's own keys and the per-set losses, before the catalogue's measures
  const first = [...keys.filter((k) => !metricInfo(k)), ...FIRST.filter((k) => keys.includes(k))];
  const shown = (chosen ?? (first.length ? first : keys).slice(0, 4)).filter((k) => keys.includes(k));
  const series = useSeries(shown.length ? [runId] : [], shown);
  const panels = useMemo(() => {
    const xName = series.data?.every((x) => x.epochs.every((e) => e !== null)) ? 'epoch' : 'step';
    return shown.map((key) => ({
      key,
      option: lineOption({ series: curves(series.data, [key], (s) => (s.split === 'none' ? key : s.split)), xName, yName: key }),
    }));
  }, [series.data, shown]);
  if (!keys.length) return null;
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>More series</Text>
        <MultiSelect
          size="xs"
          aria-label="Series to plot"
          data={keys}
          value={shown}
          onChange={setChosen}
          maxValues={4}
          searchable
          w={420}
        />
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {keys.length} more key{keys.length > 1 ? 's' : ''}: the run&apos;s own logs, imported tags, per-set measures.
      </Text>
      <SimpleGrid cols={{ base: 1, lg: panels.length > 1 ? 2 : 1 }}>
        {panels.map((p) => (
          <Chart key={p.key} option={p.option} height={220} label={`More series: ${p.key}`} />
        ))}
      </SimpleGrid>
    </Card>
  );
}
