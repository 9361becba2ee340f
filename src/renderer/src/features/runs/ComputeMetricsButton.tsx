import { Button, Checkbox, Group, Popover, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Sigma } from 'lucide-react';
import { useState } from 'react';
import { api, errorMessage } from '../../api/client';

/** Queues a metrics job over every checkpoint of a run; Hessian measures are opt-in (HVP based, slower). */
export function ComputeMetricsButton({ runId, disabled }: { runId: number; disabled: boolean }) {
  const [hessian, setHessian] = useState(false);
  const [opened, setOpened] = useState(false);
  const compute = useMutation({ mutationFn: api.metrics.compute, onSuccess: () => setOpened(false) });
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow>
      <Popover.Target>
        <Button size="xs" variant="default" leftSection={<Sigma size={14} />} disabled={disabled} onClick={() => setOpened((o) => !o)}>Compute metrics</Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" maw={280}>
          <Text size="sm">Flatness, collapse, generalization and weight measures at every checkpoint.</Text>
          <Checkbox label="Also Hessian spectra (top eigenvalue, trace, density; slower)" checked={hessian} onChange={(e) => setHessian(e.currentTarget.checked)} />
          {compute.error && <Text size="sm" c="red" role="alert">{errorMessage(compute.error)}</Text>}
          <Group justify="flex-end">
            <Button size="xs" loading={compute.isPending} onClick={() => compute.mutate({ runId, checkpoints: 'all', hessian })}>Compute</Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
