import { useMutation, useQuery } from '@tanstack/react-query';
import { datasetKinds } from '../../../shared/domain/dataset-config';
import { adoptWireKinds } from '../../../shared/domain/kinds';
import { modelFamilies } from '../../../shared/domain/train-config';
import { api, queryClient } from './client';

export const useProjects = () => useQuery({ queryKey: ['projects'], queryFn: () => api.projects.list({}) });
/** The core's facts; the model families and datasets it knows (a plugin's too) join this side's registries, so the form validates them. */
export const useSystemInfo = () =>
  useQuery({
    queryKey: ['system'],
    queryFn: async () => {
      const info = await api.system.info({});
      adoptWireKinds(modelFamilies, info.modelFamilies);
      adoptWireKinds(datasetKinds, info.datasets);
      return info;
    },
    staleTime: Infinity,
  });
/** Jobs at once and threads per job: read, and saved (the core applies them at once). */
export const useJobSettings = () => useQuery({ queryKey: ['job-settings'], queryFn: () => api.system.jobSettings({}) });
export const useSaveJobSettings = () =>
  useMutation({ mutationFn: api.system.jobSettings, onSuccess: (saved) => queryClient.setQueryData(['job-settings'], saved) });
/** Events keep runs fresh; while any is active a slow poll backs them up (an SSE reconnect can drop an event). */
export const useRuns = (projectId: number | null) =>
  useQuery({
    queryKey: ['runs', projectId],
    queryFn: () => api.runs.list({ projectId: projectId! }),
    enabled: projectId !== null,
    refetchInterval: (q) => (q.state.data?.some((r) => ['queued', 'running', 'paused'].includes(r.status)) ? 3000 : false),
  });

const refreshProjects = () => queryClient.invalidateQueries({ queryKey: ['projects'] });
export const useCreateProject = () => useMutation({ mutationFn: api.projects.create, onSuccess: refreshProjects });
export const useRenameProject = () => useMutation({ mutationFn: api.projects.rename, onSuccess: refreshProjects });
export const useRemoveProject = () => useMutation({ mutationFn: api.projects.remove, onSuccess: refreshProjects });

export const useRun = (id: number | null) =>
  useQuery({ queryKey: ['run', id], queryFn: () => api.runs.get({ id: id! }), enabled: id !== null });
export const useCheckpoints = (runId: number | null) =>
  useQuery({ queryKey: ['checkpoints', runId], queryFn: () => api.runs.checkpoints({ id: runId! }), enabled: runId !== null });
export const useMetricKeys = () => useQuery({ queryKey: ['metric-keys'], queryFn: () => api.metrics.keys({}), staleTime: Infinity });

export const refreshRuns = () => queryClient.invalidateQueries({ queryKey: ['runs'] });
export const useStartRuns = () => useMutation({ mutationFn: api.runs.start, onSuccess: refreshRuns });
export const useRunControl = () =>
  useMutation({
    mutationFn: ({ id, action }: { id: number; action: 'cancel' | 'pause' | 'resume' }) => api.runs[action]({ id }),
    onSuccess: refreshRuns,
  });

/** Queued or running jobs of a project (kept fresh by job.state events). */
export const useActiveJobs = (projectId: number | null) =>
  useQuery({
    queryKey: ['jobs', projectId],
    queryFn: () => api.jobs.list({ projectId: projectId!, active: true }),
    enabled: projectId !== null,
  });
