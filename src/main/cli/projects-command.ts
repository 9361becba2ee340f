import type { Command } from 'commander';
import { notFound } from '../../shared/api/errors';
import type { Client } from '../../shared/rpc/client';
import { emit, table, type GlobalOptions } from './output';
import { withClient } from './session';

/** A project named on the command line: by id or by name. */
export async function findProject(client: Client, ref: string) {
  const all = await client.projects.list({});
  const p = all.find((x) => String(x.id) === ref) ?? all.find((x) => x.name.toLowerCase() === ref.toLowerCase());
  if (!p) throw notFound(`No project '${ref}'. 'plateau projects list' shows the projects.`);
  return p;
}

/** The project a command records into: found by id or name, created when missing. */
export async function findOrCreateProject(client: Client, ref: string) {
  return findProject(client, ref).catch(() => client.projects.create({ name: ref }));
}

export function projectsCommand(program: Command, globals: () => GlobalOptions): void {
  const projects = program.command('projects').description('list, create and remove projects');
  projects
    .command('list')
    .description('list projects')
    .action(() =>
      withClient(globals(), async (client) => {
        const list = await client.projects.list({});
        emit(globals(), list, () =>
          list.length
            ? table(
                ['ID', 'NAME', 'RUNS', 'UPDATED'],
                list.map((p) => [p.id, p.name, p.runCount, new Date(p.updatedAt).toISOString().slice(0, 16).replace('T', ' ')]),
              )
            : "No projects yet. Create one with 'plateau projects create NAME'.",
        );
      }),
    );
  projects
    .command('create')
    .description('create a project')
    .argument('<name>', 'project name')
    .option('-d, --description <text>', 'a line describing the project')
    .action((name: string, o: { description?: string }) =>
      withClient(globals(), async (client) => {
        const p = await client.projects.create({ name, description: o.description });
        emit(globals(), p, () => `Created project ${p.id} '${p.name}'.`);
      }),
    );
  projects
    .command('remove')
    .description('remove a project with all its runs and files')
    .argument('<project>', 'id or name')
    .action((ref: string) =>
      withClient(globals(), async (client) => {
        const p = await findProject(client, ref);
        const r = await client.projects.remove({ id: p.id });
        emit(globals(), r, () => `Removed project ${p.id} '${p.name}' and its ${r.runs} run(s).`);
      }),
    );
}
