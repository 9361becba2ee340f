import { Button, Checkbox, Group, MultiSelect, NumberInput, Popover, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Sigma } from 'lucide-react';
import { useState } from 'react';
import type { MetricJobOptions } from '../../../../shared/api/contract';
import { metricDescriptors, resolveJobKeys } from '../../../../shared/domain/metrics';
import { api, errorMessage } from '../../api/client';

/** Metrics no default set includes (hessian_top_eigs, kappa_layer): offered by name. */
const ON_REQUEST = metricDescriptors().filter((d) => d.run === 'on-request');

/** Queues a metrics job over every checkpoint of a run; Hessian measures and the on-request metrics are opt-in (HVP based, slower). */
export function ComputeMetricsButton({ runId, disabled }: { runId: number; disabled: boolean }) {
  const [hessian, setHessian] = useState(false);
  const [extra, setExtra] = useState<string[]>([]);
  const [k, setK] = useState<number | string>(5);
  const [layers, setLayers] = useState('');
  const [opened, setOpened] = useState(false);
  const compute = useMutation({ mutationFn: api.metrics.compute, onSuccess: () => setOpened(false) });
  const submit = () => {
    const options: MetricJobOptions = {};
    if (extra.includes('hessian_top_eigs') && typeof k === 'number') options.k = k;
    const named = layers
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    if (extra.includes('kappa_layer') && named.length) options.layers = named;
    // naming keys replaces the default set, so the defaults are named too
    const keys = extra.length ? [...resolveJobKeys(undefined, hessian), ...extra] : undefined;
    compute.mutate({ runId, checkpoints: 'all', hessian, keys, options });
  };
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow>
      <Popover.Target>
        <Button size="xs" variant="default" leftSection={<Sigma size={14} />} disabled={disabled} onClick={() => setOpened((o) => !o)}>
          Compute metrics
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" maw={320}>
          <Text size="sm">Flatness, collapse, generalization and weight measures at every checkpoint.</Text>
          <Checkbox
            label="Also Hessian spectra (top eigenvalue, trace, density; slower)"
            checked={hessian}
            onChange={(e) => setHessian(e.currentTarget.checked)}
          />
          <MultiSelect
            size="xs"
            label="Also (HVP based)"
            placeholder="none"
            value={extra}
            onChange={setExtra}
            data={ON_REQUEST.map((d) => ({ value: d.key, label: `${d.key}: ${d.label}` }))}
            comboboxProps={{ withinPortal: false }}
          />
          {extra.includes('hessian_top_eigs') && (
            <NumberInput size="xs" label="k (top eigenvalues)" min={1} max={100} value={k} onChange={setK} />
          )}
          {extra.includes('kappa_layer') && (
            <TextInput
              size="xs"
              label="Layers for kappa_layer"
              description="weight names, comma-separated; empty = the last layer"
              placeholder="layers.0.weight"
              value={layers}
              onChange={(e) => setLayers(e.currentTarget.value)}
            />
          )}
          {compute.error && (
            <Text size="sm" c="red" role="alert">
              {errorMessage(compute.error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button size="xs" loading={compute.isPending} onClick={submit}>
              Compute
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
