import { rmSync } from 'node:fs';
import type { ServiceApi } from '../../shared/api/contract';
import { conflict } from '../../shared/api/errors';
import { projectDir } from '../app/paths';
import type { AppContext } from '../app/context';

export function projectsService(ctx: AppContext): ServiceApi['projects'] {
  const { repos, bus } = ctx;
  return {
    list: () => repos.projects.list(),
    create: ({ name, description }) => {
      const p = repos.projects.create(name, description);
      bus.emit('project.updated', { projectId: p.id });
      return p;
    },
    rename: ({ id, name }) => {
      const p = repos.projects.rename(id, name);
      bus.emit('project.updated', { projectId: id });
      return p;
    },
    remove: ({ id }) => {
      const active = repos.jobs.list({ projectId: id, active: true });
      if (active.length)
        throw conflict(`Project ${id} has ${active.length} job(s) queued or running. Cancel them first, then remove the project.`);
      const result = repos.projects.remove(id);
      // Files after rows: a crash in between leaves orphan files, never rows that point at nothing.
      rmSync(projectDir(ctx.dataDir, id), { recursive: true, force: true });
      bus.emit('project.updated', { projectId: id });
      return result;
    },
  };
}
