import { Card, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../api/client';
import { Chart } from '../../charts/Chart';
import { classMeansOption, type Geometry } from '../../charts/checkpoint-options';

interface Esd {
  grid: number[];
  density: number[];
  nodes: number[];
  seed: number;
  steps: number;
}

/** Where the class means sit (PCA of the centred means, beside the ideal simplex ETF) and the Hessian's spectral density. */
export function CheckpointSpectra({ runId, step }: { runId: number; step: number }) {
  const details = (key: string) => ({
    queryKey: ['details', runId, key, step],
    queryFn: () => api.metrics.details({ runId, key, step, split: 'train' }),
  });
  const nc1 = useQuery(details('nc1'));
  const esd = useQuery(details('hessian_esd'));
  const geometry = (nc1.data as { geometry?: Geometry } | null | undefined)?.geometry;
  const density = esd.data as Esd | null | undefined;

  const geoOption = useMemo(() => geometry && classMeansOption(geometry), [geometry]);

  const esdOption = useMemo(
    () =>
      density && {
        animation: false,
        title: {
          text: `Hessian spectral density (SLQ, ${density.steps} Lanczos steps, seed ${density.seed})`,
          textStyle: { fontSize: 12, fontWeight: 'normal' },
        },
        tooltip: { trigger: 'axis' },
        grid: { left: 56, right: 16, top: 32, bottom: 40 },
        xAxis: { type: 'value', name: 'eigenvalue', nameLocation: 'middle', nameGap: 24, scale: true },
        yAxis: { type: 'log', name: 'density', nameLocation: 'middle', nameGap: 44, min: 1e-6 },
        series: [
          {
            type: 'line',
            showSymbol: false,
            areaStyle: { opacity: 0.2 },
            data: density.grid.map((x, i) => [x, Math.max(1e-6, density.density[i])]),
          },
        ],
      },
    [density],
  );

  return (
    <Card withBorder component="section" aria-label="Geometry and spectrum">
      <Title order={4} mb="xs">
        Collapse geometry and Hessian spectrum at step {step}
      </Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {geoOption ? (
          <Chart option={geoOption} height={340} label="Class means" />
        ) : (
          <Text size="sm" c="dimmed">
            No class-mean geometry at this checkpoint: compute its metrics (Runs → Compute metrics).
          </Text>
        )}
        {esdOption ? (
          <Chart option={esdOption} height={340} label="Hessian spectral density" />
        ) : (
          <Text size="sm" c="dimmed">
            No Hessian spectrum here: Runs → Compute metrics with “Also Hessian spectra”.
          </Text>
        )}
      </SimpleGrid>
    </Card>
  );
}
