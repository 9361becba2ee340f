import { Button, Group, Loader, Select, Stack, TextInput, Title } from '@mantine/core';
import type { RowSelectionState } from '@tanstack/react-table';
import { ChartLine, FolderKanban, ListChecks, Plus, Search } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { Project, Run } from '../../../../shared/domain/types';
import { useLiveProgress, useSeries } from '../../api/live';
import { useActiveJobs, useRuns } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { TableExport } from '../../components/TableExport';
import { ErrorText } from '../../components/ErrorText';
import { ColumnChooser, useColumnChoices } from './ColumnChooser';
import { columnCatalog, lastValues } from './column-visibility';
import { NewRunDialog } from './NewRunDialog';
import { runsCsv, varyingKeys } from './run-columns';
import { BulkActions } from './BulkActions';
import { RunDetail } from './RunDetail';
import { RunsTable } from './RunsTable';

export function RunsView({
  project,
  onCreateProject,
  onCompare,
  onSweep,
  creating,
  setCreating,
}: {
  project: Project | null;
  onCreateProject: () => void;
  onCompare: (runIds: number[]) => void;
  onSweep: () => void;
  creating: boolean;
  setCreating: (v: boolean) => void;
}) {
  const runs = useRuns(project?.id ?? null);
  const live = useLiveProgress();
  const jobs = useActiveJobs(project?.id ?? null);
  const waitingMetrics = useMemo(
    () => new Set((jobs.data ?? []).filter((j) => j.kind === 'metrics' && j.state === 'queued').map((j) => j.runId!)),
    [jobs.data],
  );
  const [selected, setSelected] = useState<number | null>(null);
  const [filter, setFilter] = useState('');
  const [groupBy, setGroupBy] = useState<string | null>(null);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [cloning, setCloning] = useState<Run | null>(null);
  const catalog = useMemo(() => columnCatalog(runs.data ?? []), [runs.data]);
  const columns = useColumnChoices(project?.id ?? null, catalog);
  // final kappa and nc1 come from the checkpoint metrics: fetched only while one of their columns shows
  const measuredKeys = (['kappa', 'nc1'] as const).filter((k) => columns.visibility[k]);
  const measuredSeries = useSeries(measuredKeys.length ? (runs.data ?? []).map((r) => r.id) : [], [...measuredKeys]);
  const measured = useMemo(() => {
    const all = measuredSeries.data ?? [];
    return { kappa: lastValues(all, 'kappa'), nc1: lastValues(all, 'nc1') };
  }, [measuredSeries.data]);
  const groupChoices = useMemo(
    () => [
      { value: 'preset', label: 'preset' },
      { value: 'status', label: 'status' },
      ...varyingKeys(runs.data ?? []).map((k) => ({ value: `hp:${k}`, label: k })),
    ],
    [runs.data],
  );
  if (!project) {
    return (
      <EmptyState icon={FolderKanban} title="Choose or create a project" action={<Button onClick={onCreateProject}>Go to projects</Button>}>
        Runs belong to a project. Create one first.
      </EmptyState>
    );
  }
  const current = runs.data?.find((r) => r.id === selected) ?? runs.data?.[0];
  const picked = Object.keys(selection)
    .filter((k) => selection[k])
    .map(Number);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Runs · {project.name}</Title>
        <Group>
          <Button variant="default" leftSection={<ChartLine size={16} />} disabled={!picked.length} onClick={() => onCompare(picked)}>
            Compare {picked.length || ''} selected
          </Button>
          <Button leftSection={<Plus size={16} />} onClick={() => setCreating(true)}>
            New run
          </Button>
        </Group>
      </Group>
      <ErrorText error={runs.error} title="Could not load runs" />
      {runs.isLoading && <Loader aria-label="Loading runs" />}
      {runs.data?.length === 0 && (
        <EmptyState
          icon={ListChecks}
          title="No runs in this project yet"
          action={<Button onClick={() => setCreating(true)}>Start a run</Button>}
        >
          Train a preset such as grokking-mlp, or import checkpoints; their losses, accuracies and checkpoints appear here.
        </EmptyState>
      )}
      {!!runs.data?.length && (
        <>
          <Group>
            <TextInput
              aria-label="Filter runs"
              placeholder="Filter: name, status, tag, or a setting such as lr 0.001"
              leftSection={<Search size={14} />}
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
              w={420}
            />
            <Select
              aria-label="Group runs by"
              placeholder="Group by…"
              clearable
              data={groupChoices}
              value={groupBy}
              onChange={setGroupBy}
              w={240}
            />
            <ColumnChooser catalog={catalog} visibility={columns.visibility} choices={columns.choices} onChange={columns.update} />
            <TableExport name={`runs-${project.name}`} table={() => runsCsv(runs.data ?? [], catalog, columns.visibility, measured)} />
          </Group>
          <BulkActions runs={(runs.data ?? []).filter((r) => picked.includes(r.id))} onDone={() => setSelection({})} />
          <RunsTable
            runs={runs.data}
            live={live}
            waitingMetrics={waitingMetrics}
            filter={filter}
            groupBy={groupBy}
            catalog={catalog}
            visibility={columns.visibility}
            measured={measured}
            current={current?.id ?? null}
            onOpen={setSelected}
            selection={selection}
            onSelection={setSelection}
          />
        </>
      )}
      {current && <RunDetail run={current} live={live.get(current.id)} onClone={setCloning} />}
      {(creating || cloning) && (
        <NewRunDialog
          projectId={project.id}
          from={cloning ?? undefined}
          onClose={() => {
            setCreating(false);
            setCloning(null);
          }}
          onStarted={setSelected}
          onSweep={onSweep}
        />
      )}
    </Stack>
  );
}
