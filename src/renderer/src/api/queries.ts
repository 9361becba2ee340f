import { useMutation, useQuery } from '@tanstack/react-query';
import { api, queryClient } from './client';

export const useProjects = () => useQuery({ queryKey: ['projects'], queryFn: () => api.projects.list({}) });
export const useSystemInfo = () => useQuery({ queryKey: ['system'], queryFn: () => api.system.info({}), staleTime: Infinity });
export const useRuns = (projectId: number | null) =>
  useQuery({ queryKey: ['runs', projectId], queryFn: () => api.runs.list({ projectId: projectId! }), enabled: projectId !== null });

const refreshProjects = () => queryClient.invalidateQueries({ queryKey: ['projects'] });
export const useCreateProject = () => useMutation({ mutationFn: api.projects.create, onSuccess: refreshProjects });
export const useRenameProject = () => useMutation({ mutationFn: api.projects.rename, onSuccess: refreshProjects });
export const useRemoveProject = () => useMutation({ mutationFn: api.projects.remove, onSuccess: refreshProjects });
