import type { Command } from 'commander';
import { basename } from 'node:path';
import { supportedImports } from '../io/formats';
import { emit, table, type GlobalOptions } from './output';
import { progressBar } from './progress-bar';
import { findOrCreateProject } from './projects-command';
import { withClient } from './session';

/** `plateau import PATH...`: checkpoints trained elsewhere become runs of a project (created when missing). */
export function importCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('import')
    .description(`import checkpoints as runs: ${supportedImports()}`)
    .argument('<paths...>', 'files or folders')
    .option('--project <name>', 'project to import into (created if missing)', 'default')
    .action((paths: string[], o: { project: string }) =>
      withClient(globals(), async (client, app) => {
        const project = await findOrCreateProject(client, o.project);
        for (const path of paths) {
          const preview = await client.imports.inspect({ path });
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
