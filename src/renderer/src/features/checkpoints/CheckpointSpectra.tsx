import { Card, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../api/client';
import { Chart } from '../../charts/Chart';

interface Geometry {
  classes: number[];
  points: [number, number][];
  explained: number;
}
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

  const geoOption = useMemo(() => {
    if (!geometry) return null;
    const C = geometry.points.length;
    const radius = geometry.points.reduce((s, [x, y]) => s + Math.hypot(x, y), 0) / C;
    // The collapsed ideal: C equal-norm means at equal angles (a simplex ETF seen along its symmetry axis when C = 3).
    const etf = Array.from({ length: C }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / C), radius * Math.sin((2 * Math.PI * k) / C)]);
    const lim = radius * 1.4 || 1;
    return {
      animation: false,
      title: {
        text: `class means (${(geometry.explained * 100).toFixed(0)}% of their spread in this plane)`,
        textStyle: { fontSize: 12, fontWeight: 'normal' },
      },
      legend: { bottom: 0 },
      tooltip: { trigger: 'item' },
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      xAxis: { type: 'value', min: -lim, max: lim, axisLabel: { show: false } },
      yAxis: { type: 'value', min: -lim, max: lim, axisLabel: { show: false } },
      series: [
        {
          name: 'class means',
          type: 'scatter',
          symbolSize: 12,
          data: geometry.points.map((p, i) => [...p, `class ${geometry.classes[i]}`]),
          label: { show: C <= 20, formatter: (p: { data: [number, number, string] }) => p.data[2].replace('class ', ''), position: 'top' },
        },
        {
          name: 'simplex ETF (same mean norm)',
          type: 'scatter',
          symbol: 'diamond',
          symbolSize: 9,
          itemStyle: { opacity: 0.45 },
          data: etf,
        },
      ],
    };
  }, [geometry]);

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
          <Chart option={geoOption} height={300} label="Class means" />
        ) : (
          <Text size="sm" c="dimmed">
            No class-mean geometry at this checkpoint: compute its metrics (Runs → Compute metrics).
          </Text>
        )}
        {esdOption ? (
          <Chart option={esdOption} height={300} label="Hessian spectral density" />
        ) : (
          <Text size="sm" c="dimmed">
            No Hessian spectrum here: Runs → Compute metrics with “Also Hessian spectra”.
          </Text>
        )}
      </SimpleGrid>
    </Card>
  );
}
