import { Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { FolderKanban, ListChecks } from 'lucide-react';
import type { Project, RunStatus } from '../../../../shared/domain/types';
import { useRuns } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';

const STATUS_COLOR: Record<RunStatus, string> = {
  queued: 'gray', running: 'blue', paused: 'yellow', succeeded: 'green', failed: 'red', cancelled: 'gray',
  diverged: 'orange', interrupted: 'yellow', imported: 'violet',
};

export function RunsView({ project, onCreateProject }: { project: Project | null; onCreateProject: () => void }) {
  const runs = useRuns(project?.id ?? null);
  if (!project) {
    return (
      <EmptyState icon={FolderKanban} title="Choose or create a project" action={<Button onClick={onCreateProject}>Go to projects</Button>}>
        Runs belong to a project. Create one first.
      </EmptyState>
    );
  }
  return (
    <Stack>
      <Title order={2}>Runs · {project.name}</Title>
      <ErrorText error={runs.error} title="Could not load runs" />
      {runs.isLoading && <Loader aria-label="Loading runs" />}
      {runs.data?.length === 0 && (
        <EmptyState icon={ListChecks} title="No runs in this project yet">
          Runs you train or import into {project.name} are listed here with their status, hyperparameters and final metrics.
        </EmptyState>
      )}
      {!!runs.data?.length && (
        <Table highlightOnHover verticalSpacing="xs" aria-label="Runs">
          <Table.Thead>
            <Table.Tr><Table.Th>ID</Table.Th><Table.Th>Name</Table.Th><Table.Th>Status</Table.Th><Table.Th>Preset</Table.Th><Table.Th>Seed</Table.Th><Table.Th>Backend</Table.Th><Table.Th>Tags</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{r.id}</Table.Td>
                <Table.Td><Text fw={500}>{r.name}</Text></Table.Td>
                <Table.Td><Badge color={STATUS_COLOR[r.status]} variant="light">{r.status}</Badge></Table.Td>
                <Table.Td>{r.preset ?? '—'}</Table.Td>
                <Table.Td>{r.seed ?? '—'}</Table.Td>
                <Table.Td>{r.backend ?? '—'}</Table.Td>
                <Table.Td><Group gap={4}>{r.tags.map((t) => <Badge key={t} size="xs" variant="outline">{t}</Badge>)}</Group></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
