import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import { parseSetting } from '../../shared/domain/config-overrides';
import type { Client } from '../../shared/rpc/client';
import type { App } from '../app/create-app';
import { collectSweep } from '../sweeps/collect';
import { expandGrid, parseGrid, parseSeeds, pointLabel } from '../sweeps/grid';
import { loadRecord, type SlurmOptions } from '../sweeps/manifest';
import { cancelSweep, resubmitSweep, submitSweep, sweepStatus, type TaskStatus } from '../sweeps/sweeps';
import { emit, table, type GlobalOptions } from './output';
import { findOrCreateProject, findProject } from './projects-command';
import { withClient } from './session';

const collectArgs = (v: string, acc: string[] = []) => [...acc, v];
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const indexList = (s?: string) => (s === undefined ? undefined : parseSeeds(s)); // same syntax: 0-3,7

interface SweepOpts {
  preset?: string; grid?: string[]; seeds: string; project: string; name?: string; slurm?: boolean; sharedDir?: string;
  partition?: string; time?: string; cpusPerTask?: string; mem?: string; gres?: string; account?: string; ssh?: string; node?: string; plateau?: string;
}

/** Locally: one runs.start per grid combination (all seeds at once) through the ordinary job queue. */
async function runLocal(g: GlobalOptions, client: Client, app: App, projectId: number, o: SweepOpts, axes: [string, string[]][], seeds: number[]) {
  const combos = expandGrid(axes, [0]);
  const runs = [];
  for (const c of combos) {
    const set = Object.fromEntries(Object.entries(c.set).map(([k, v]) => parseSetting(`${k}=${v}`)));
    const label = pointLabel({ set: c.set, seed: 0 }).replace(/ seed=0$/, '');
    runs.push(...await client.runs.start({ projectId, preset: o.preset, set, seeds, name: [o.name, label].filter(Boolean).join(' ') || undefined }));
  }
  if (!g.json) process.stdout.write(`Queued ${runs.length} runs (${combos.length} grid points x ${seeds.length} seeds); waiting for them...\n`);
  await app.ctx.jobs.idle();
  const done = await Promise.all(runs.map((r) => client.runs.get({ id: r.id })));
  const last = (r: (typeof done)[number]) => (r.summary as { last?: Record<string, number> }).last ?? {};
  emit(g, done.map((r) => ({ run_id: r.id, name: r.name, status: r.status, seed: r.seed, test_acc: last(r).test_acc ?? null })),
    () => table(['RUN', 'NAME', 'SEED', 'STATUS', 'TEST ACC'], done.map((r) => [r.id, r.name, r.seed ?? '-', r.status, pct(last(r).test_acc)])));
  if (done.some((r) => r.status === 'failed')) process.exitCode = 1;
}

function statusTable(tasks: TaskStatus[]): string {
  const rows = tasks.map((t) => [t.index, t.label, t.jobId ?? '-', t.state, t.exitCode ?? '-', t.node ?? '-', t.progress?.epoch ?? '-', pct(t.progress?.test_acc), t.collectedRunId ?? '-']);
  const tails = tasks.filter((t) => t.logTail).map((t) => `\n-- ${t.index} (${t.label}) ${t.state}, exit ${t.exitCode ?? '?'}${t.error ? `: ${t.error}` : ''}; log ${t.log}:\n${t.logTail}`);
  return table(['#', 'POINT', 'JOB', 'STATE', 'EXIT', 'NODE', 'EPOCH', 'TEST ACC', 'RUN'], rows) + tails.join('\n');
}

/** `plateau sweep`: a grid of overrides x seeds, run here or as one Slurm job array, then status/collect/cancel/resubmit. */
export function sweepCommand(program: Command, globals: () => GlobalOptions): void {
  const sweep = program.command('sweep').description('run a preset over a grid of settings x seeds, here or on a Slurm cluster')
    .option('--preset <name>', 'preset to start from')
    .option('--grid <key=v1,v2...>', 'a dotted setting and its values; repeat for more axes', collectArgs)
    .option('--seeds <list>', 'seeds, e.g. 0-4 or 0,2,7', '0')
    .option('--project <name>', 'project to record the runs in (created if missing)', 'default')
    .option('--name <name>', 'sweep name (default: preset and time)')
    .option('--slurm', 'submit as a Slurm job array instead of running here')
    .option('--shared-dir <dir>', 'folder both this machine and the nodes see (Slurm)')
    .option('--partition <p>').option('--time <HH:MM:SS>').option('--cpus-per-task <n>').option('--mem <m>').option('--gres <g>').option('--account <a>')
    .option('--ssh <user@host>', 'submit through this login node')
    .option('--node <path>', 'node binary on the compute nodes (default: this one; "node" with --ssh)')
    .option('--plateau <path>', 'bin/plateau.mjs on the compute nodes (default: this install)')
    .action((o: SweepOpts) => {
      const g = globals();
      if (!o.preset) throw invalid('--preset is required (or use a subcommand: status, collect, cancel, resubmit).');
      const axes = parseGrid(o.grid ?? []);
      const seeds = parseSeeds(o.seeds);
      return withClient(g, async (client, app) => {
        const project = await findOrCreateProject(client, o.project);
        if (!o.slurm) return runLocal(g, client, app, project.id, o, axes, seeds);
        if (!o.sharedDir) throw invalid('--slurm needs --shared-dir: a folder this machine and the compute nodes both see.');
        const cpus = o.cpusPerTask === undefined ? undefined : Number(o.cpusPerTask);
        if (cpus !== undefined && !(Number.isInteger(cpus) && cpus > 0)) throw invalid(`--cpus-per-task '${o.cpusPerTask}' is not a positive integer.`);
        const slurm: SlurmOptions = Object.fromEntries(Object.entries({ partition: o.partition, time: o.time, cpusPerTask: cpus, mem: o.mem, gres: o.gres, account: o.account, ssh: o.ssh })
          .filter(([, v]) => v !== undefined));
        const { record, manifest } = await submitSweep(app.ctx, {
          projectId: project.id, preset: o.preset!, points: expandGrid(axes, seeds), sharedDir: o.sharedDir, slurm, name: o.name, node: o.node, plateau: o.plateau,
        });
        const job = record.submissions[0];
        emit(g, { sweep: record.id, job_id: job.jobId, cluster: job.cluster ?? null, tasks: manifest.points.length, dir: record.sweepDir },
          () => `Submitted sweep '${record.id}' as Slurm job ${job.jobId} (${manifest.points.length} tasks) in ${record.sweepDir}.\n` +
            "Follow it with 'plateau sweep status'; bring results home with 'plateau sweep collect'.");
      });
    });

  const withSweep = (o: { project: string; sweep?: string }, fn: (app: App, record: ReturnType<typeof loadRecord>) => Promise<void>) =>
    withClient(globals(), async (client, app) => fn(app, loadRecord(app.ctx.dataDir, (await findProject(client, o.project)).id, o.sweep)));
  const sub = (name: string, description: string) => sweep.command(name).description(description)
    .option('--project <name>', 'project of the sweep', 'default').option('--sweep <name>', 'sweep name (default: the newest)');

  sub('status', "each task's Slurm state and live progress").action((o: { project: string; sweep?: string }) =>
    withSweep(o, async (app, record) => {
      const { tasks } = await sweepStatus(app.ctx, record);
      emit(globals(), { sweep: record.id, tasks }, () => `Sweep '${record.id}' (${record.sweepDir})\n${statusTable(tasks)}`);
    }));

  sub('collect', 'merge finished tasks into the project (again adds nothing twice)').action((o: { project: string; sweep?: string }) =>
    withSweep(o, async (app, record) => {
      const r = await collectSweep(app.ctx, record);
      emit(globals(), { sweep: record.id, ...r }, () => [`Collected ${r.added.length} new runs${r.added.length ? ` (${r.added.map((a) => `#${a.index} -> run ${a.runId}`).join(', ')})` : ''}; ${r.already.length} collected before.`,
        ...r.skipped.map((s) => `  #${s.index} not collected (${s.state}): ${s.reason}`)].join('\n'));
    }));

  sub('cancel', 'scancel the sweep, or some grid points').option('--index <list>', 'grid points, e.g. 3 or 0-2,5')
    .action((o: { project: string; sweep?: string; index?: string }) =>
      withSweep(o, async (app, record) => {
        const targets = await cancelSweep(app.ctx, record, indexList(o.index));
        emit(globals(), { sweep: record.id, cancelled: targets }, () => `Cancelled ${targets.join(', ')}.`);
      }));

  sub('resubmit', 'resubmit failed, timed-out and cancelled points as a new array job').option('--failed', 'the failed, timed-out and cancelled points (the default)')
    .option('--index <list>', 'these grid points instead')
    .action((o: { project: string; sweep?: string; index?: string; failed?: boolean }) =>
      withSweep(o, async (app, record) => {
        if (o.failed && o.index) throw invalid('Pass --failed or --index, not both.');
        const r = await resubmitSweep(app.ctx, record, indexList(o.index));
        emit(globals(), { sweep: record.id, job_id: r.jobId, indices: r.indices }, () => `Resubmitted points ${r.indices.join(', ')} as Slurm job ${r.jobId}.`);
      }));
}
