import { Accordion, Badge, Button, Card, Code, Group, Progress, ScrollArea, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { Copy, Pause, Play, RotateCcw, Square } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { JobProgress } from '../../../../shared/api/contract';
import { metricInfo, metricKeysWhere } from '../../../../shared/domain/metrics';
import type { Run } from '../../../../shared/domain/types';
import { useSeries } from '../../api/live';
import { useCheckpoints, useRunControl } from '../../api/queries';
import { Chart } from '../../charts/Chart';
import { lineOption } from '../../charts/line-option';
import { ErrorText } from '../../components/ErrorText';
import { ComputeMetricsButton } from './ComputeMetricsButton';
import { EvaluateImportButton } from './EvaluateImportButton';
import { RunNotes } from './RunNotes';
import { RunOrigin } from './RunOrigin';
import { LayerMetrics } from './LayerMetrics';
import { LoggedSeries } from './LoggedSeries';
import { MeasureWeightsButton } from './MeasureWeightsButton';
import { curves } from './run-curves';
import { runLog } from './run-log';
import { STATUS_COLOR } from './status';

/** The run view's charts list what the metric registry assigns them (descriptor.runView). */
const LOSS = metricKeysWhere((d) => d.runView === 'loss');
const ACCURACY = metricKeysWhere((d) => d.runView === 'accuracy');
/** Measured at each checkpoint as the run goes: the quantities Han et al. 2025 set against each other (kappa, nc1, cdnv). */
const GEOMETRY = metricKeysWhere((d) => d.runView === 'geometry');
const LOSS_LOG = LOSS.some((k) => metricInfo(k)!.logScale);
const GEOMETRY_LOG = GEOMETRY.some((k) => metricInfo(k)!.logScale);
const fmtTime = (s: number) =>
  s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;

/** One run: live progress, controls, and its loss and accuracy curves (train and test). */
export function RunDetail({ run, live, onClone }: { run: Run; live?: JobProgress; onClone?: (run: Run) => void }) {
  const [logX, setLogX] = useState(true);
  const series = useSeries([run.id], [...LOSS, ...ACCURACY, ...GEOMETRY]);
  const checkpoints = useCheckpoints(run.id);
  const control = useRunControl();
  // a run logged by the user's own script is controlled there: no pause, cancel or worker progress here
  const client = run.origin === 'client';
  const active = !client && (run.status === 'running' || run.status === 'paused' || run.status === 'queued');
  const resumable = !client && ['interrupted', 'cancelled', 'failed'].includes(run.status) && !!checkpoints.data?.length;
  const label = (s: { key: string }) => s.key.replace('_', ' ');
  const loss = useMemo(
    () => lineOption({ series: curves(series.data, LOSS, label), xName: 'epoch', yName: 'loss', logX, logY: LOSS_LOG }),
    [series.data, logX],
  );
  const acc = useMemo(
    () => lineOption({ series: curves(series.data, ACCURACY, label), xName: 'epoch', yName: 'accuracy', logX }),
    [series.data, logX],
  );
  const geometry = useMemo(() => {
    const train = (series.data ?? []).filter((s) => GEOMETRY.includes(s.key) && s.split === 'train' && s.layer === '');
    if (!train.length) return null;
    return lineOption({
      series: curves(train, GEOMETRY, (s) => `${s.key} (train)`),
      xName: 'epoch',
      yName: 'at checkpoints',
      logX,
      logY: GEOMETRY_LOG,
    });
  }, [series.data, logX]);
  // an imported log or a client's script may log none of the standard keys: say so instead of two empty axes
  const standard = (series.data ?? []).some((s) => (LOSS.includes(s.key) || ACCURACY.includes(s.key)) && s.values.length > 0);
  const noCurves = !!series.data && !standard && !active;
  const v = live?.values;
  const log = useMemo(() => runLog(run, series.data ?? [], checkpoints.data ?? []), [run, series.data, checkpoints.data]);

  return (
    <Card withBorder padding="md" component="section" aria-label={`Run ${run.id}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={3}>{run.name}</Title>
            <Badge color={STATUS_COLOR[run.status]} variant="light">
              {run.status}
            </Badge>
            <Text size="sm" c="dimmed">
              run {run.id} · seed {run.seed ?? '—'} ·{' '}
              {run.backend ?? (active ? 'backend pending' : run.origin === 'imported' ? 'weights from a file' : 'never started')}
              {computeNote(run.versions) ? ` (${computeNote(run.versions)})` : ''}
            </Text>
          </Group>
          <Group gap="xs">
            {run.status === 'running' && (
              <Button
                size="xs"
                variant="default"
                leftSection={<Pause size={14} />}
                onClick={() => control.mutate({ id: run.id, action: 'pause' })}
              >
                Pause
              </Button>
            )}
            {run.status === 'paused' && (
              <Button
                size="xs"
                variant="default"
                leftSection={<Play size={14} />}
                onClick={() => control.mutate({ id: run.id, action: 'resume' })}
              >
                Resume
              </Button>
            )}
            {resumable && (
              <Button
                size="xs"
                variant="default"
                leftSection={<RotateCcw size={14} />}
                onClick={() => control.mutate({ id: run.id, action: 'resume' })}
              >
                Resume from last checkpoint
              </Button>
            )}
            {run.origin === 'imported' && !('model' in run.config) && run.status === 'imported' && (
              <>
                <MeasureWeightsButton runId={run.id} />
                <EvaluateImportButton runId={run.id} />
              </>
            )}
            {onClone && run.origin === 'local' && (
              <Button size="xs" variant="default" leftSection={<Copy size={14} />} onClick={() => onClone(run)}>
                Clone with changes
              </Button>
            )}
            {!active && !client && (run.origin !== 'imported' || 'model' in run.config) && (
              <ComputeMetricsButton runId={run.id} disabled={!checkpoints.data?.length} />
            )}
            {active && (
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<Square size={14} />}
                onClick={() => control.mutate({ id: run.id, action: 'cancel' })}
              >
                Cancel
              </Button>
            )}
          </Group>
        </Group>
        <ErrorText error={control.error} />
        <RunOrigin run={run} />
        <RunNotes run={run} />
        {run.error && (
          <Text c="red" size="sm" role="alert">
            {run.error}
          </Text>
        )}
        {active && (
          <Stack gap={4}>
            <Progress
              value={(live?.fraction ?? 0) * 100}
              animated={run.status === 'running'}
              aria-label={run.origin === 'imported' ? 'Import progress' : 'Training progress'}
            />
            <Text size="xs" c="dimmed">
              {live && run.origin === 'imported'
                ? live.message // an import's progress: checkpoint i/n and the bytes read
                : live
                  ? `${live.message} · ${v?.steps_per_s?.toFixed(1) ?? '—'} steps/s · ETA ${fmtTime(v?.eta_s ?? 0)} · train acc ${((v?.train_acc ?? 0) * 100).toFixed(1)}% · test acc ${((v?.test_acc ?? 0) * 100).toFixed(1)}%`
                  : 'waiting for a worker…'}
            </Text>
          </Stack>
        )}
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {checkpoints.data?.length ?? 0} checkpoints
          </Text>
          <Switch size="xs" label="log epoch axis" checked={logX} onChange={(e) => setLogX(e.currentTarget.checked)} />
        </Group>
        <SimpleGrid cols={{ base: 1, lg: noCurves ? 1 : 2, xl: noCurves ? 2 : 3 }}>
          {noCurves ? (
            <Text size="sm" c="dimmed" ta="center" mt="md">
              No train or test loss and accuracy under Plateau&apos;s keys (train_loss, test_acc, …): the run&apos;s own keys are under More
              series.
            </Text>
          ) : (
            <>
              <Chart option={loss} label="Loss curves" />
              <Chart option={acc} label="Accuracy curves" />
            </>
          )}
          {geometry ? (
            <Chart option={geometry} label="Flatness and collapse at checkpoints" />
          ) : (
            <Text size="sm" c="dimmed" ta="center" mt="md">
              {checkpoints.data?.length || active
                ? 'Relative flatness (kappa), NC1 and CDNV appear here as checkpoints are measured.'
                : 'No checkpoints: relative flatness (kappa), NC1 and CDNV are measured on checkpoints.'}
            </Text>
          )}
        </SimpleGrid>
        <LoggedSeries runId={run.id} live={active || client} />
        <LayerMetrics runId={run.id} />
        <Accordion variant="contained">
          <Accordion.Item value="log">
            <Accordion.Control>Log</Accordion.Control>
            <Accordion.Panel>
              <ScrollArea h={220} type="auto" aria-label="Run log">
                <Code block>{log.slice(-400).join('\n') || 'Nothing logged yet.'}</Code>
              </ScrollArea>
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      </Stack>
    </Card>
  );
}

/** "2 threads, BLAS libopenblas.so.0": how the run computed, as its worker reported it. */
function computeNote(v: Record<string, string>): string {
  return [v.threads && `${v.threads} thread${v.threads === '1' ? '' : 's'}`, v.blas && `BLAS ${v.blas}`].filter(Boolean).join(', ');
}
