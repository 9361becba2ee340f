import { Stack, Table, Text } from '@mantine/core';
import type { ImportLogRun } from '../../../../shared/domain/types';

/** The runs of training logs an import would bring in: each run's series (key, the tag its tool gave it, points) and stated config. */
export function LogRunsPreview({ runs }: { runs: ImportLogRun[] }) {
  return (
    <Stack gap="sm" aria-label="Log runs">
      {runs.map((r) => (
        <Stack key={r.path} gap={2}>
          <Text size="sm" fw={600}>
            {r.name}{' '}
            <Text span size="xs" c="dimmed">
              {r.format} · {r.series.length} series · {r.points} points · {r.path}
            </Text>
          </Text>
          {Object.keys(r.settings).length > 0 && (
            <Text size="xs">
              config:{' '}
              {Object.entries(r.settings)
                .map(([k, v]) => `${k} = ${v}`)
                .join(' · ')}
            </Text>
          )}
          <Table verticalSpacing={1} aria-label={`Series of ${r.name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Metric key</Table.Th>
                <Table.Th>Tag</Table.Th>
                <Table.Th>Points</Table.Th>
                <Table.Th>Steps</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.series.slice(0, 50).map((s) => (
                <Table.Tr key={s.key}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {s.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.tag}</Table.Td>
                  <Table.Td>{s.points}</Table.Td>
                  <Table.Td>
                    {s.firstStep}–{s.lastStep}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {r.series.length > 50 && (
            <Text size="xs" c="dimmed">
              … and {r.series.length - 50} more series
            </Text>
          )}
        </Stack>
      ))}
    </Stack>
  );
}
