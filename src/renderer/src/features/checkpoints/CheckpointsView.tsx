import { Card, Group, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Database } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { Project } from '../../../../shared/domain/types';
import { api } from '../../api/client';
import { useCheckpoints, useRuns } from '../../api/queries';
import { TableExport } from '../../components/TableExport';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';
import { sig } from '../../charts/format';
import { runLabel } from '../compare/compare-data';
import { ColumnChooser, useColumnChoices } from '../runs/ColumnChooser';
import { checkpointColumnsKey, hasSpectrum, metricColumnCatalog, valuesByStep } from './checkpoint-columns';
import { CheckpointDiff } from './CheckpointDiff';
import { CheckpointLayers } from './CheckpointLayers';
import { CheckpointSpectra } from './CheckpointSpectra';

const size = (b: number) => (b > 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

/** A run's checkpoints; one checkpoint's layers; the difference between two checkpoints. */
export function CheckpointsView({ project }: { project: Project | null }) {
  const runs = useRuns(project?.id ?? null);
  const [runId, setRunId] = useState<number | null>(null);
  const run = runs.data?.find((r) => r.id === runId) ?? runs.data?.[0];
  const checkpoints = useCheckpoints(run?.id ?? null);
  const [selected, setSelected] = useState<number | null>(null);
  const [against, setAgainst] = useState<string | null>(null);
  const current = checkpoints.data?.find((c) => c.id === selected) ?? checkpoints.data?.at(-1);
  const coverage = useQuery({ queryKey: ['coverage', run?.id], queryFn: () => api.metrics.coverage({ runId: run!.id }), enabled: !!run });
  const computed = (step: number) => coverage.data?.find((c) => c.step === step)?.keys ?? [];
  const catalog = useMemo(() => metricColumnCatalog(coverage.data ?? []), [coverage.data]);
  const columns = useColumnChoices(project?.id ?? null, catalog, checkpointColumnsKey);
  const shownKeys = useMemo(() => catalog.filter((c) => columns.visibility[c.id]).map((c) => c.id), [catalog, columns.visibility]);
  const values = useQuery({
    queryKey: ['checkpoint-values', run?.id, shownKeys],
    queryFn: () => api.metrics.series({ runIds: [run!.id], keys: shownKeys }),
    enabled: !!run && shownKeys.length > 0,
  });
  const byKey = useMemo(() => new Map(shownKeys.map((k) => [k, valuesByStep(values.data ?? [], k)])), [values.data, shownKeys]);
  const cell = (key: string, step: number) => {
    const v = byKey.get(key)?.get(step);
    return v === undefined ? '—' : sig(v);
  };

  if (!project)
    return (
      <EmptyState icon={Database} title="Choose a project">
        Checkpoints belong to the runs of a project.
      </EmptyState>
    );
  if (runs.data?.length === 0)
    return (
      <EmptyState icon={Database} title="No checkpoints yet">
        Checkpoints appear here as runs save them.
      </EmptyState>
    );
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Checkpoints · {project.name}</Title>
        <Select
          aria-label="Run"
          w={320}
          searchable
          allowDeselect={false}
          value={run ? String(run.id) : null}
          data={(runs.data ?? []).map((r) => ({ value: String(r.id), label: runLabel(r) }))}
          onChange={(v) => {
            setRunId(Number(v));
            setSelected(null);
            setAgainst(null);
          }}
        />
      </Group>
      <ErrorText error={runs.error ?? checkpoints.error} />
      <SimpleGrid cols={{ base: 1, xl: 2 }}>
        <Card withBorder>
          <Group justify="space-between" mb={4}>
            <ColumnChooser catalog={catalog} visibility={columns.visibility} choices={columns.choices} onChange={columns.update} />
            <TableExport
              name={`checkpoints-run-${run?.id}`}
              table={() => ({
                header: ['step', 'epoch', ...shownKeys, 'bytes', 'sha256', 'metrics'],
                rows: (checkpoints.data ?? []).map((c) => [
                  c.step,
                  c.epoch,
                  ...shownKeys.map((k) => byKey.get(k)?.get(c.step) ?? null),
                  c.bytes,
                  c.sha256,
                  computed(c.step).join(' '),
                ]),
              })}
            />
          </Group>
          <ErrorText error={values.error} />
          <ScrollArea type="auto" offsetScrollbars>
            <Table highlightOnHover verticalSpacing={4} aria-label="Checkpoints">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Step</Table.Th>
                  <Table.Th>Epoch</Table.Th>
                  {shownKeys.map((k) => (
                    <Table.Th key={k} style={{ whiteSpace: 'nowrap' }}>
                      {k}
                    </Table.Th>
                  ))}
                  <Table.Th>Stored</Table.Th>
                  <Table.Th>Size</Table.Th>
                  <Table.Th>SHA-256</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(checkpoints.data ?? []).map((c) => (
                  <Table.Tr
                    key={c.id}
                    onClick={() => setSelected(c.id)}
                    aria-selected={current?.id === c.id}
                    style={{ cursor: 'pointer' }}
                    bg={current?.id === c.id ? 'var(--mantine-primary-color-light)' : undefined}
                  >
                    <Table.Td>{c.step}</Table.Td>
                    <Table.Td>{c.epoch ?? '—'}</Table.Td>
                    {shownKeys.map((k) => (
                      <Table.Td key={k} ff="monospace" fz="sm">
                        {cell(k, c.step)}
                      </Table.Td>
                    ))}
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Tooltip label={computed(c.step).join(', ') || 'none yet'} multiline w={360}>
                        <Text size="sm">
                          {computed(c.step).length
                            ? `${computed(c.step).length} keys${hasSpectrum(computed(c.step)) ? ' + spectrum' : ''}`
                            : '—'}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{size(c.bytes)}</Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {c.sha256.slice(0, 12)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
          {checkpoints.data?.length === 0 && (
            <Text c="dimmed" size="sm" p="sm">
              This run has no checkpoints yet.
            </Text>
          )}
        </Card>
        {current && <CheckpointLayers checkpointId={current.id} title={`step ${current.step}`} />}
      </SimpleGrid>
      {current && <CheckpointSpectra runId={current.runId} step={current.step} />}
      {current && checkpoints.data && checkpoints.data.length > 1 && (
        <Card withBorder component="section" aria-label="Checkpoint difference">
          <Group mb="xs">
            <Title order={4}>Difference from step {current.step} to</Title>
            <Select
              aria-label="Compare with checkpoint"
              size="xs"
              w={200}
              placeholder="another checkpoint"
              value={against}
              data={checkpoints.data.filter((c) => c.id !== current.id).map((c) => ({ value: String(c.id), label: `step ${c.step}` }))}
              onChange={setAgainst}
            />
          </Group>
          {against && <CheckpointDiff a={current.id} b={Number(against)} />}
        </Card>
      )}
    </Stack>
  );
}
