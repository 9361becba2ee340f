import { Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useJobSettings, useSaveJobSettings } from '../../api/queries';
import { errorMessage } from '../../api/client';
import { threadsPerJob } from '../../../../shared/jobs/limits';

/** Jobs at once and compute threads per job: applied to jobs that start from now on, and saved. */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const current = useJobSettings();
  const save = useSaveJobSettings();
  const [jobs, setJobs] = useState<number | string>('');
  const [threads, setThreads] = useState<number | string>('');
  useEffect(() => {
    if (!current.data) return;
    setJobs(current.data.jobs);
    setThreads(current.data.threads ?? '');
  }, [current.data]);
  const cores = current.data?.cores ?? 1;
  const auto = threadsPerJob(cores, Number(jobs) || 1);
  const submit = async () => {
    await save.mutateAsync({ jobs: Number(jobs), threads: threads === '' ? null : Number(threads) });
    onClose();
  };
  return (
    <Modal opened onClose={onClose} title="Settings">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit().catch(() => {});
        }}
      >
        <Stack>
          <NumberInput
            label="Jobs at once"
            description={`Training and metrics jobs that run side by side (this machine has ${cores} cores).`}
            min={1}
            max={256}
            allowDecimal={false}
            value={jobs}
            onChange={setJobs}
          />
          <NumberInput
            label="Threads per job"
            description="Compute threads each job may use; leave empty to share the cores out among the jobs."
            placeholder={`automatic (${auto})`}
            min={1}
            max={256}
            allowDecimal={false}
            value={threads}
            onChange={setThreads}
          />
          <Text size="xs" c="dimmed">
            Jobs already running keep their threads. PLATEAU_JOBS / PLATEAU_THREADS, when set, win at the next start.
          </Text>
          {save.error && (
            <Text c="red" size="sm" role="alert">
              {errorMessage(save.error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!current.data || jobs === ''}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
