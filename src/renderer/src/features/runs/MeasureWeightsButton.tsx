import { Button, Tooltip } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Sigma } from 'lucide-react';
import { api, errorMessage } from '../../api/client';

/**
 * For an imported model Plateau cannot rebuild (a Hugging Face LM): the metrics job measures every weight
 * matrix of every checkpoint again, spectra included where the import left them out (wide matrices).
 */
export function MeasureWeightsButton({ runId }: { runId: number }) {
  const compute = useMutation({ mutationFn: api.metrics.compute });
  return (
    <Tooltip
      label={compute.error ? errorMessage(compute.error) : 'spectral norm, stable rank and alpha of every weight matrix, per checkpoint'}
    >
      <Button
        size="xs"
        variant="default"
        leftSection={<Sigma size={14} />}
        loading={compute.isPending}
        onClick={() => compute.mutate({ runId, checkpoints: 'all' })}
      >
        Measure weights per layer
      </Button>
    </Tooltip>
  );
}
