import { Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import { Chart } from '../../charts/Chart';
import { histogramOption } from '../../charts/checkpoint-options';
import { ErrorText } from '../../components/ErrorText';
import { TableExport } from '../../components/TableExport';

const num = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));

/** The tensors of one checkpoint with their moments and norms; the chosen one's histogram. */
export function CheckpointLayers({ checkpointId, title }: { checkpointId: number; title: string }) {
  const detail = useQuery({ queryKey: ['checkpoint', checkpointId], queryFn: () => api.checkpoints.inspect({ id: checkpointId }) });
  const [layer, setLayer] = useState<string | null>(null);
  const shown = detail.data?.layers.find((l) => l.name === layer) ?? detail.data?.layers[0];
  const option = useMemo(() => shown && histogramOption(shown.name, shown.histogram.edges, shown.histogram.counts), [shown]);
  return (
    <Card withBorder component="section" aria-label="Checkpoint layers">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>Layers at {title}</Title>
          <TableExport
            name={`layers-${title.replace(/\s+/g, '-')}`}
            table={() => ({
              header: ['name', 'shape', 'mean', 'std', 'min', 'max', 'fro_norm'],
              rows: (detail.data?.layers ?? []).map((l) => [l.name, l.shape.join('x'), l.mean, l.std, l.min, l.max, l.froNorm]),
            })}
          />
        </Group>
        <ErrorText error={detail.error} />
        {detail.isLoading && <Loader size="sm" aria-label="Loading layers" />}
        {detail.data && (
          <>
            <Table verticalSpacing={2} highlightOnHover aria-label="Layers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Shape</Table.Th>
                  <Table.Th>Mean</Table.Th>
                  <Table.Th>Std</Table.Th>
                  <Table.Th>‖W‖F</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.data.layers.map((l) => (
                  <Table.Tr
                    key={l.name}
                    onClick={() => setLayer(l.name)}
                    style={{ cursor: 'pointer' }}
                    bg={shown?.name === l.name ? 'var(--mantine-primary-color-light)' : undefined}
                  >
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {l.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>{l.shape.join(' × ')}</Table.Td>
                    <Table.Td>{num(l.mean)}</Table.Td>
                    <Table.Td>{num(l.std)}</Table.Td>
                    <Table.Td>{num(l.froNorm)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {option && <Chart option={option} height={200} label="Weight histogram" />}
            {detail.data.optimizerTensors > 0 && (
              <Text size="xs" c="dimmed">
                Also holds {detail.data.optimizerTensors} optimizer buffers (exact resume).
              </Text>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}
