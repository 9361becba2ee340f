import { Badge, Button, Card, Code, Group, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Download, RefreshCw, RotateCcw, Server, Square } from 'lucide-react';
import { useState } from 'react';
import type { Project, SweepTask } from '../../../../shared/domain/types';
import { api, errorMessage, queryClient } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';

const COLOR: Record<SweepTask['state'], string> = {
  pending: 'gray',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'gray',
  timeout: 'orange',
  unsubmitted: 'gray',
};

const isCollect = (x: unknown): x is { added: number; already: number; skipped: unknown[] } =>
  typeof x === 'object' && x !== null && 'added' in x;

/** Sweeps, run here or on a Slurm cluster: each grid point's state and progress; collect, cancel, resubmit the failed. */
export function SweepsView({ project }: { project: Project | null }) {
  const projectId = project?.id ?? null;
  const sweeps = useQuery({
    queryKey: ['sweeps', projectId],
    queryFn: () => api.sweeps.list({ projectId: projectId! }),
    enabled: projectId !== null,
  });
  const [picked, setPicked] = useState<string | null>(null);
  const id = picked ?? sweeps.data?.[0]?.id ?? null;
  const status = useQuery({
    queryKey: ['sweep-status', projectId, id],
    queryFn: () => api.sweeps.status({ projectId: projectId!, id: id! }),
    enabled: projectId !== null && id !== null,
    // Poll while anything is still queued or running on the cluster.
    refetchInterval: (q) => (q.state.data?.tasks.some((t) => t.state === 'pending' || t.state === 'running') ? 5000 : false),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['sweep-status', projectId, id] });
  const action = useMutation({
    mutationFn: async (a: 'collect' | 'cancel' | 'resubmit'): Promise<unknown> => api.sweeps[a]({ projectId: projectId!, id: id! }),
    onSuccess: () => {
      refresh();
      void queryClient.invalidateQueries({ queryKey: ['sweeps', projectId] });
    },
  });
  if (!project)
    return (
      <EmptyState icon={Server} title="Choose a project">
        Sweeps belong to a project.
      </EmptyState>
    );
  if (sweeps.data?.length === 0) {
    // the view's heading stays, as on every other view: the reader sees where they are
    return (
      <Stack>
        <Title order={2}>Sweeps · {project.name}</Title>
        <EmptyState icon={Server} title="No sweeps yet">
          Start one from Runs → New run (“Run on a Slurm cluster”), or{' '}
          <Code>plateau sweep --preset NAME --grid key=v1,v2 --seeds 0-4 --slurm --shared-dir DIR</Code>.
        </EmptyState>
      </Stack>
    );
  }
  const tasks = status.data?.tasks ?? [];
  const count = (s: SweepTask['state']) => tasks.filter((t) => t.state === s).length;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Sweeps · {project.name}</Title>
        <Select
          aria-label="Sweep"
          w={360}
          value={id}
          allowDeselect={false}
          data={(sweeps.data ?? []).map((s) => ({ value: s.id, label: `${s.id} (${s.collected} collected)` }))}
          onChange={setPicked}
        />
      </Group>
      <ErrorText error={sweeps.error ?? status.error} />
      {action.error && (
        <Text c="red" size="sm" role="alert">
          {errorMessage(action.error)}
        </Text>
      )}
      {isCollect(action.data) && (
        <Text size="sm">
          Collected {action.data.added} new run(s); {action.data.already} already in the project; {action.data.skipped.length} not ready.
        </Text>
      )}
      <Card withBorder component="section" aria-label="Sweep tasks">
        <Group justify="space-between" mb="xs">
          <Text size="sm">
            {tasks.length} tasks: {count('completed')} completed, {count('running')} running, {count('pending')} pending,{' '}
            {count('failed') + count('timeout')} failed, {count('cancelled')} cancelled
          </Text>
          <Group gap="xs">
            <Button size="xs" variant="default" leftSection={<RefreshCw size={14} />} onClick={refresh} loading={status.isFetching}>
              Refresh
            </Button>
            <Button
              size="xs"
              leftSection={<Download size={14} />}
              onClick={() => action.mutate('collect')}
              loading={action.isPending && action.variables === 'collect'}
            >
              Collect finished
            </Button>
            <Button
              size="xs"
              variant="default"
              leftSection={<RotateCcw size={14} />}
              disabled={!count('failed') && !count('timeout') && !count('cancelled')}
              onClick={() => action.mutate('resubmit')}
            >
              Resubmit failed
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              leftSection={<Square size={14} />}
              disabled={!count('running') && !count('pending')}
              onClick={() => action.mutate('cancel')}
            >
              Cancel sweep
            </Button>
          </Group>
        </Group>
        <Table verticalSpacing={4} aria-label="Tasks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>Grid point</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Epoch</Table.Th>
              <Table.Th>Test acc</Table.Th>
              <Table.Th>Node</Table.Th>
              <Table.Th>Job</Table.Th>
              <Table.Th>Run</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.map((t) => (
              <Table.Tr key={t.index}>
                <Table.Td>{t.index}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {t.label}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Tooltip label={t.error ?? t.logTail ?? ''} disabled={!t.error && !t.logTail} multiline w={480}>
                    <Badge color={COLOR[t.state]} variant="light">
                      {t.state}
                      {t.exitCode ? ` (exit ${t.exitCode})` : ''}
                    </Badge>
                  </Tooltip>
                </Table.Td>
                <Table.Td>{t.epoch ?? '—'}</Table.Td>
                <Table.Td>{t.testAcc === null ? '—' : `${(t.testAcc * 100).toFixed(1)}%`}</Table.Td>
                <Table.Td>{t.node ?? '—'}</Table.Td>
                <Table.Td>{t.jobId ? `${t.jobId}_${t.index}` : '—'}</Table.Td>
                <Table.Td>{t.collectedRunId ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {tasks
          .filter((t) => t.error || t.logTail)
          .map((t) => (
            <Text key={t.index} size="xs" c="red" mt={4} ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
              #{t.index}: {t.error ?? t.logTail}
            </Text>
          ))}
      </Card>
    </Stack>
  );
}
