import { Badge, Button, Group, Loader, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { FolderKanban, ListChecks, Plus } from 'lucide-react';
import { useState } from 'react';
import type { Project } from '../../../../shared/domain/types';
import { useLiveProgress } from '../../api/live';
import { useRuns } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';
import { NewRunDialog } from './NewRunDialog';
import { RunDetail } from './RunDetail';
import { STATUS_COLOR } from './status';

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');

export function RunsView({ project, onCreateProject }: { project: Project | null; onCreateProject: () => void }) {
  const runs = useRuns(project?.id ?? null);
  const live = useLiveProgress();
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  if (!project) {
    return (
      <EmptyState icon={FolderKanban} title="Choose or create a project" action={<Button onClick={onCreateProject}>Go to projects</Button>}>
        Runs belong to a project. Create one first.
      </EmptyState>
    );
  }
  const current = runs.data?.find((r) => r.id === selected) ?? runs.data?.[0];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Runs · {project.name}</Title>
        <Button leftSection={<Plus size={16} />} onClick={() => setCreating(true)}>New run</Button>
      </Group>
      <ErrorText error={runs.error} title="Could not load runs" />
      {runs.isLoading && <Loader aria-label="Loading runs" />}
      {runs.data?.length === 0 && (
        <EmptyState icon={ListChecks} title="No runs in this project yet" action={<Button onClick={() => setCreating(true)}>Start a run</Button>}>
          Train a preset such as grokking-mlp; its losses, accuracies and checkpoints appear here as it runs.
        </EmptyState>
      )}
      {!!runs.data?.length && (
        <Table highlightOnHover verticalSpacing={6} aria-label="Runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>ID</Table.Th><Table.Th>Name</Table.Th><Table.Th>Status</Table.Th><Table.Th>Preset</Table.Th><Table.Th>Seed</Table.Th>
              <Table.Th>Backend</Table.Th><Table.Th>Train acc</Table.Th><Table.Th>Test acc</Table.Th><Table.Th>Tags</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.data.map((r) => {
              const p = live.get(r.id);
              const last = (r.summary as { last?: Record<string, number> }).last;
              return (
                <Table.Tr key={r.id} onClick={() => setSelected(r.id)} aria-selected={current?.id === r.id} style={{ cursor: 'pointer' }}
                  bg={current?.id === r.id ? 'var(--mantine-primary-color-light)' : undefined}>
                  <Table.Td>{r.id}</Table.Td>
                  <Table.Td><Text fw={500} size="sm">{r.name}</Text></Table.Td>
                  <Table.Td w={160}>
                    {p ? <Progress value={p.fraction * 100} size="lg" aria-label={`Run ${r.id} progress`} /> : <Badge color={STATUS_COLOR[r.status]} variant="light">{r.status}</Badge>}
                  </Table.Td>
                  <Table.Td>{r.preset ?? '—'}</Table.Td>
                  <Table.Td>{r.seed ?? '—'}</Table.Td>
                  <Table.Td>{r.backend ?? '—'}</Table.Td>
                  <Table.Td>{pct(p?.values?.train_acc ?? last?.train_acc)}</Table.Td>
                  <Table.Td>{pct(p?.values?.test_acc ?? last?.test_acc)}</Table.Td>
                  <Table.Td><Group gap={4}>{r.tags.map((t) => <Badge key={t} size="xs" variant="outline">{t}</Badge>)}</Group></Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {current && <RunDetail run={current} live={live.get(current.id)} />}
      {creating && <NewRunDialog projectId={project.id} onClose={() => setCreating(false)} onStarted={setSelected} />}
    </Stack>
  );
}
