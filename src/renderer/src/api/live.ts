import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { JobProgress } from '../../../shared/api/contract';
import type { MetricSeries } from '../../../shared/domain/types';
import { api, queryClient } from './client';
import { mergeRows } from './merge-rows';

/** Latest progress of every running job, keyed by run id; cleared when a job ends. */
export function useLiveProgress(): Map<number, JobProgress> {
  const [map, setMap] = useState(() => new Map<number, JobProgress>());
  useEffect(() => {
    const offProgress = api.on('job.progress', (p) => {
      if (p.runId !== null) setMap((m) => new Map(m).set(p.runId!, p));
    });
    const offState = api.on('job.state', (s) => {
      if (s.runId !== null && s.state !== 'running')
        setMap((m) => {
          const n = new Map(m);
          n.delete(s.runId!);
          return n;
        });
    });
    return () => {
      offProgress();
      offState();
    };
  }, []);
  return map;
}

const MAX_POINTS = 2000;
const seriesKey = (runIds: number[], keys: string[]) => ['series', runIds.join(','), keys.join(',')];

/** Metric series of some runs, kept live: rows the worker stores arrive as events and are appended in place. */
export function useSeries(runIds: number[], keys: string[]) {
  const queryKey = seriesKey(runIds, keys);
  useEffect(() => {
    if (!runIds.length) return;
    return api.on('run.metrics', ({ runId, rows }) => {
      if (!runIds.includes(runId)) return;
      queryClient.setQueryData<MetricSeries[]>(queryKey, (old) => old && mergeRows(old, runId, rows, keys));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey.join('|')]);
  // Server-side LTTB: a few thousand points per line look the same as 100k and keep big comparisons fast.
  return useQuery({
    queryKey,
    queryFn: () => api.metrics.series({ runIds, keys, maxPoints: MAX_POINTS }),
    enabled: runIds.length > 0 && keys.length > 0,
  });
}
