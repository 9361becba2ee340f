import { basename, resolve } from 'node:path';
import type { ServiceApi } from '../../shared/api/contract';
import type { ImportPreview } from '../../shared/domain/types';
import type { AppContext } from '../app/context';
import { inspectImport } from '../io/import-file';

const MAX_LISTED = 5000; // tensors listed in a preview: a huge checkpoint's table stays usable

async function preview(path: string): Promise<ImportPreview> {
  const index = await inspectImport(resolve(path));
  return {
    format: index.format,
    source: index.source,
    tensors: index.tensors.slice(0, MAX_LISTED),
    scalars: index.format === 'folder' ? {} : index.scalars ?? {},
    skipped: index.format === 'folder' ? [] : index.skipped ?? [],
    files: index.format === 'folder' ? index.files.map((f) => ({ path: f.path, step: f.step })) : [],
  };
}

export function importsService(ctx: AppContext): ServiceApi['imports'] {
  const { repos, bus } = ctx;
  return {
    inspect: ({ path }) => preview(path),
    start: async ({ projectId, path, name }) => {
      repos.projects.get(projectId);
      // Inspect first: a file we cannot read is refused here, before any run exists.
      const p = await preview(path);
      const run = repos.runs.create({
        projectId, name: name ?? basename(p.source), config: { source: p.source, format: p.format }, status: 'queued', origin: 'imported',
      });
      ctx.jobs.enqueue('import', projectId, run.id, { path: p.source });
      repos.projects.touch(projectId);
      bus.emit('run.updated', { runId: run.id, projectId });
      return run;
    },
  };
}
