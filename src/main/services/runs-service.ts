import { rmSync } from 'node:fs';
import type { ServiceApi } from '../../shared/api/contract';
import { conflict } from '../../shared/api/errors';
import { runDir } from '../app/paths';
import type { AppContext } from '../app/context';

export function runsService(ctx: AppContext): ServiceApi['runs'] {
  const { repos, bus } = ctx;
  const changed = (runId: number, projectId: number) => bus.emit('run.updated', { runId, projectId });
  return {
    list: ({ projectId }) => {
      repos.projects.get(projectId);
      return repos.runs.list(projectId);
    },
    get: ({ id }) => repos.runs.get(id),
    remove: ({ id }) => {
      const run = repos.runs.get(id);
      if (run.status === 'running' || run.status === 'queued') throw conflict(`Run ${id} is ${run.status}. Cancel it first, then remove it.`);
      repos.runs.remove(id);
      rmSync(runDir(ctx.dataDir, run.projectId, id), { recursive: true, force: true });
      changed(id, run.projectId);
      return { removed: id };
    },
    tag: ({ id, add, remove }) => {
      const run = repos.runs.tag(id, add, remove);
      changed(id, run.projectId);
      return run;
    },
  };
}
