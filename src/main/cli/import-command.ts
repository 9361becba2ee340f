import type { Command } from 'commander';
import { basename } from 'node:path';
import type { Client } from '../../shared/rpc/client';
import type { ImportPreview, Project, Run } from '../../shared/domain/types';
import type { App } from '../app/create-app';
import { supportedImports } from '../io/formats';
import { emit, table, type GlobalOptions } from './output';
import { progressBar } from './progress-bar';
import { findOrCreateProject } from './projects-command';
import { withClient } from './session';

/** `plateau import PATH...`: checkpoints or training logs made elsewhere become runs of a project (created when missing). */
export function importCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('import')
    .description(`import checkpoints or training logs as runs: ${supportedImports()}`)
    .argument('<paths...>', 'files or folders')
    .option('--project <name>', 'project to import into (created if missing)', 'default')
    .action((paths: string[], o: { project: string }) =>
      withClient(globals(), async (client, app) => {
        const project = await findOrCreateProject(client, o.project);
        for (const path of paths) {
          const preview = await client.imports.inspect({ path });
          if (preview.runs.length) {
            await importLogs(client, app, project, path, preview, globals());
            continue;
          }
          const started = await client.imports.start({ projectId: project.id, path });
          // percent of the source bytes read, on stderr (nothing under --json)
          const bar = globals().json ? undefined : progressBar(`import ${basename(path)} %`, 100);
          const off = client.on('job.progress', (e) => {
            if (e.runId === started.id) bar?.update(Math.floor(e.fraction * 100), e.message);
          });
          await app.ctx.jobs.idle();
          off();
          bar?.done();
          const run = await client.runs.get({ id: started.id });
          if (run.status === 'failed') throw new Error(`${path}: ${run.error}`);
          const ckpts = await client.runs.checkpoints({ id: run.id });
          emit(globals(), { ...preview, run_id: run.id, project: project.name, checkpoints: ckpts.length }, () =>
            [
              `Imported ${path} (${preview.format}) as run ${run.id} in '${project.name}': ${ckpts.length} checkpoint(s), ${preview.tensors.length} tensors.`,
              table(
                ['TENSOR', 'SHAPE', 'DTYPE'],
                preview.tensors.slice(0, 20).map((x) => [x.name, x.shape.join('x') || 'scalar', x.dtype]),
              ),
              ...(preview.tensors.length > 20 ? [`... and ${preview.tensors.length - 20} more`] : []),
              ...(preview.skipped.length ? [`Left out (not data): ${preview.skipped.map((s) => s.name).join(', ')}`] : []),
            ].join('\n'),
          );
        }
      }),
    );
}

/**
 * Each log run the preview found becomes a run (all were read and checked by the preview before any is
 * started); resolves once every one is stored. The bench times exactly this.
 */
export async function importLogRuns(client: Client, app: App, projectId: number, path: string, preview: ImportPreview): Promise<Run[]> {
  const started = [];
  for (const r of preview.runs) started.push(await client.imports.start({ projectId, path: r.path, name: r.name }));
  await app.ctx.jobs.idle();
  const runs = await Promise.all(started.map((s) => client.runs.get({ id: s.id })));
  const failed = runs.filter((r) => r.status !== 'imported');
  if (failed.length) throw new Error(`${path}: ${failed.map((r) => `${r.name}: ${r.error ?? r.status}`).join('; ')}`);
  return runs;
}

async function importLogs(client: Client, app: App, project: Project, path: string, preview: ImportPreview, opts: GlobalOptions) {
  const runs = await importLogRuns(client, app, project.id, path, preview);
  const json = {
    format: preview.format,
    source: preview.source,
    project: project.name,
    runs: preview.runs.map((r, i) => ({ run_id: runs[i].id, ...r })),
    skipped: preview.skipped,
  };
  emit(opts, json, () =>
    [
      `Imported ${path} (${preview.format}) as ${runs.length} run(s) in '${project.name}':`,
      table(
        ['RUN', 'NAME', 'FORMAT', 'SERIES', 'POINTS', 'SETTINGS'],
        preview.runs.map((r, i) => [runs[i].id, r.name, r.format, r.series.length, r.points, Object.keys(r.settings).length]),
      ),
      '',
      table(
        ['KEY', 'TAG', 'POINTS', 'STEPS'],
        preview.runs[0].series.slice(0, 20).map((s) => [s.key, s.tag, s.points, `${s.firstStep}..${s.lastStep}`]),
      ),
      ...(preview.runs[0].series.length > 20
        ? [`... and ${preview.runs[0].series.length - 20} more series in ${preview.runs[0].name}`]
        : []),
      ...(preview.skipped.length ? [`Left out: ${preview.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`] : []),
    ].join('\n'),
  );
}
