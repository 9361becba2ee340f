import { Badge, Button, Card, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ListTodo } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import type { JobProgress } from '../../../../shared/api/contract';
import type { Job, Project } from '../../../../shared/domain/types';
import { api, queryClient } from '../../api/client';
import { useJobSettings, useRuns } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';
import { jobDetail, jobKindLabel, waitReasons } from './job-queue';

const STATE_COLOR: Record<Job['state'], string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'gray',
  crashed: 'red',
  interrupted: 'yellow',
};
const RECENT = 30;
const active = (j: Job) => j.state === 'queued' || j.state === 'running';

/** Latest progress event of each running job, keyed by job id (the stored fraction lags by a write batch). */
function useJobProgress(): Map<number, JobProgress> {
  const [map, setMap] = useState(() => new Map<number, JobProgress>());
  useEffect(() => api.on('job.progress', (p) => setMap((m) => new Map(m).set(p.jobId, p))), []);
  return map;
}

/** The queue: what runs (with progress), what waits and why, and what finished lately, for the current project. */
export function JobsView({ project }: { project: Project | null }) {
  const jobs = useQuery({
    queryKey: ['jobs', 'view', project?.id],
    queryFn: () => api.jobs.list({ projectId: project!.id }),
    enabled: !!project,
    refetchInterval: (q) => (q.state.data?.some(active) ? 2000 : false),
  });
  // every project's active jobs share the slots: a job here can wait on another project's
  const everywhere = useQuery({
    queryKey: ['jobs', 'all-active'],
    queryFn: () => api.jobs.list({ active: true }),
    refetchInterval: (q) => (q.state.data?.length ? 2000 : false),
  });
  const settings = useJobSettings();
  const runs = useRuns(project?.id ?? null);
  const live = useJobProgress();
  const cancel = useMutation({ mutationFn: api.jobs.cancel, onSettled: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }) });
  const reasons = useMemo(() => waitReasons(everywhere.data ?? [], settings.data?.jobs ?? 1), [everywhere.data, settings.data]);
  const rows = useMemo(() => {
    const all = jobs.data ?? [];
    const running = all.filter((j) => j.state === 'running');
    const queued = all.filter((j) => j.state === 'queued').sort((a, b) => a.id - b.id);
    return [...running, ...queued, ...all.filter((j) => !active(j)).slice(0, RECENT)];
  }, [jobs.data]);
  const runOf = (id: number | null) => runs.data?.find((r) => r.id === id);

  if (!project)
    return (
      <EmptyState icon={ListTodo} title="Choose a project">
        Jobs (training, metrics, imports, evaluations) belong to a project.
      </EmptyState>
    );
  const nRunning = rows.filter((j) => j.state === 'running').length;
  const nQueued = rows.filter((j) => j.state === 'queued').length;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Jobs · {project.name}</Title>
        <Text size="sm" c="dimmed">
          {nRunning} running · {nQueued} waiting · {settings.data ? `${settings.data.jobs} at a time (Settings)` : ''}
        </Text>
      </Group>
      <ErrorText error={jobs.error ?? everywhere.error ?? cancel.error} />
      {jobs.data?.length === 0 ? (
        <EmptyState icon={ListTodo} title="No jobs yet">
          Training, metrics, imports and evaluations appear here while they wait, run, and after.
        </EmptyState>
      ) : (
        <Card withBorder p={0}>
          <Table aria-label="Jobs" verticalSpacing={6} highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>Job</Table.Th>
                <Table.Th w={100}>Kind</Table.Th>
                <Table.Th>Run</Table.Th>
                <Table.Th w={110}>State</Table.Th>
                <Table.Th w={180}>Progress</Table.Th>
                <Table.Th>Detail</Table.Th>
                <Table.Th w={90} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((j) => {
                const run = runOf(j.runId);
                const fraction =
                  j.state === 'running' ? (live.get(j.id)?.fraction ?? j.progress) : j.state === 'succeeded' ? 1 : j.progress;
                const message = j.state === 'running' ? (live.get(j.id)?.message ?? j.message) : j.message;
                return (
                  <Table.Tr key={j.id} aria-label={`Job ${j.id}`}>
                    <Table.Td>#{j.id}</Table.Td>
                    <Table.Td>{jobKindLabel(j.kind, run?.origin === 'imported')}</Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate="end" maw={260}>
                        {run?.name ?? (j.runId ? `run ${j.runId}` : '—')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATE_COLOR[j.state]} variant="light" tt="none">
                        {j.state}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {j.state === 'queued' ? (
                        <Text size="xs" c="dimmed">
                          not started
                        </Text>
                      ) : (
                        <Group gap={6} wrap="nowrap">
                          <Progress
                            value={fraction * 100}
                            size="md"
                            w={110}
                            aria-label={`Job ${j.id} progress`}
                            animated={j.state === 'running'}
                          />
                          <Text size="xs">{Math.round(fraction * 100)}%</Text>
                        </Group>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={j.state === 'failed' || j.state === 'crashed' ? 'red' : undefined} lineClamp={2}>
                        {jobDetail({ ...j, message }, reasons)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {active(j) && (
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => cancel.mutate({ id: j.id })}>
                          Cancel
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </Stack>
  );
}
