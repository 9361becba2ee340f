import { Loader, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { ErrorText } from '../../components/ErrorText';

/** Per-layer distance, relative distance and cosine between two checkpoints. */
export function CheckpointDiff({ a, b }: { a: number; b: number }) {
  const diff = useQuery({ queryKey: ['checkpoint-diff', a, b], queryFn: () => api.checkpoints.diff({ a, b }) });
  if (diff.isLoading) return <Loader size="sm" aria-label="Comparing checkpoints" />;
  return (
    <>
      <ErrorText error={diff.error} />
      {diff.data && (
        <Table verticalSpacing={2} aria-label="Layer differences">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Layer</Table.Th>
              <Table.Th>‖A − B‖F</Table.Th>
              <Table.Th>relative</Table.Th>
              <Table.Th>cosine</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {diff.data.layers.map((l) => (
              <Table.Tr key={l.name}>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {l.name}
                  </Text>
                </Table.Td>
                <Table.Td>{l.distance.toPrecision(4)}</Table.Td>
                <Table.Td>{l.relative.toPrecision(3)}</Table.Td>
                <Table.Td>{l.cosine === null ? '—' : l.cosine.toFixed(4)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {!!diff.data?.unmatched.length && (
        <Text size="xs" c="dimmed">
          Not in both, or shaped differently: {diff.data.unmatched.join(', ')}
        </Text>
      )}
    </>
  );
}
