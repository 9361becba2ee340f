import { QueryClient } from '@tanstack/react-query';
import { createClient } from '../../../shared/rpc/client';
import { transport } from './transport';

/** The renderer's only way to the core. */
export const api = createClient(transport);

export const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 5_000, retry: false, refetchOnWindowFocus: false } },
});

// Core events keep cached data fresh on every front end at once (two windows, two browsers).
api.on('project.updated', () => void queryClient.invalidateQueries({ queryKey: ['projects'] }));
api.on('run.updated', ({ projectId, runId }) => {
  void queryClient.invalidateQueries({ queryKey: ['runs', projectId] });
  void queryClient.invalidateQueries({ queryKey: ['run', runId] });
  void queryClient.invalidateQueries({ queryKey: ['checkpoints', runId] });
  void queryClient.invalidateQueries({ queryKey: ['projects'] });
});
api.on('job.state', () => void queryClient.invalidateQueries({ queryKey: ['jobs'] }));

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
