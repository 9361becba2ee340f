import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import type { Run } from '../../shared/domain/types';
import type { MetricRow } from '../../shared/jobs/messages';
import type { Client } from '../../shared/rpc/client';
import type { App } from '../app/create-app';
import { anySweepCancel, anySweepCollect, anySweepResubmit, anySweepStatus, sweepWhere } from '../sweeps/any-sweep';
import { expandGrid, parseGrid, parseSeeds } from '../sweeps/grid';
import { startLocalSweep } from '../sweeps/local-sweep';
import { loadRecord, type SlurmOptions } from '../sweeps/manifest';
import { submitSweep, type TaskStatus } from '../sweeps/sweeps';
import { emit, table, type GlobalOptions } from './output';
import { progressBar } from './progress-bar';
import { findOrCreateProject, findProject } from './projects-command';
import { withClient } from './session';

const collectArgs = (v: string, acc: string[] = []) => [...acc, v];
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const indexList = (s?: string) => (s === undefined ? undefined : parseSeeds(s)); // same syntax: 0-3,7

interface SweepOpts {
  preset?: string;
  grid?: string[];
  seeds: string;
  epochs?: string;
  project: string;
  name?: string;
  slurm?: boolean;
  sharedDir?: string;
  partition?: string;
  time?: string;
  cpusPerTask?: string;
  mem?: string;
  gres?: string;
  account?: string;
  ssh?: string;
  node?: string;
  plateau?: string;
}

/** Waits for the runs, drawing one bar over all their epochs (stderr; nothing under --json). Ctrl-C cancels them. */
async function follow(g: GlobalOptions, client: Client, app: App, runs: Run[], label: string) {
  const total = runs.reduce((n, r) => n + (r.config as { epochs: number }).epochs, 0);
  const bar = g.json ? undefined : progressBar(label, total);
  const reached = new Map<number, number>(); // run -> last epoch logged
  let done = 0;
  client.on('run.metrics', ({ runId, rows }) => {
    if (!runs.some((r) => r.id === runId)) return;
    for (const r of (rows as MetricRow[]).filter((x) => x.checkpointStep === undefined && x.epoch !== null)) {
      reached.set(runId, Math.max(reached.get(runId) ?? 0, r.epoch!));
    }
    bar?.update(
      [...reached.values()].reduce((n, e) => n + e, 0),
      `${done}/${runs.length} runs done`,
    );
  });
  client.on('run.updated', ({ runId }) => {
    if (!runs.some((r) => r.id === runId)) return;
    done = runs.filter((r) => !['queued', 'running', 'paused'].includes(app.ctx.repos.runs.get(r.id).status)).length;
    bar?.update(
      [...reached.values()].reduce((n, e) => n + e, 0),
      `${done}/${runs.length} runs done`,
    );
  });
  const stop = () => void Promise.all(runs.map((r) => client.runs.cancel({ id: r.id }).catch(() => {})));
  process.once('SIGINT', stop);
  await app.ctx.jobs.idle();
  process.off('SIGINT', stop);
  bar?.done();
}

/** Locally: every grid point x seed is a run of the project, trained by the ordinary job queue; the sweep records which. */
async function runLocal(
  g: GlobalOptions,
  client: Client,
  app: App,
  projectId: number,
  o: SweepOpts,
  axes: [string, string[]][],
  seeds: number[],
) {
  const points = expandGrid(axes, seeds);
  const { record, runs } = await startLocalSweep(app.ctx, { projectId, preset: o.preset!, points, name: o.name });
  const grid = `${points.length / seeds.length} grid points x ${seeds.length} seeds`;
  if (!g.json) process.stdout.write(`Sweep '${record.id}': queued ${runs.length} runs (${grid}).\n`);
  await follow(g, client, app, runs, `sweep ${record.id}`);
  const done = await Promise.all(runs.map((r) => client.runs.get({ id: r.id })));
  const last = (r: (typeof done)[number]) => (r.summary as { last?: Record<string, number> }).last ?? {};
  emit(
    g,
    done.map((r) => ({ run_id: r.id, name: r.name, status: r.status, seed: r.seed, test_acc: last(r).test_acc ?? null })),
    () =>
      table(
        ['RUN', 'NAME', 'SEED', 'STATUS', 'TEST ACC'],
        done.map((r) => [r.id, r.name, r.seed ?? '-', r.status, pct(last(r).test_acc)]),
      ),
  );
  if (done.some((r) => r.status === 'failed')) process.exitCode = 1;
}

function statusTable(tasks: TaskStatus[]): string {
  const rows = tasks.map((t) => [
    t.index,
    t.label,
    t.jobId ?? '-',
    t.state,
    t.exitCode ?? '-',
    t.node ?? '-',
    t.progress?.epoch ?? '-',
    pct(t.progress?.test_acc),
    t.collectedRunId ?? '-',
  ]);
  const tails = tasks
    .filter((t) => t.logTail)
    .map(
      (t) =>
        `\n-- ${t.index} (${t.label}) ${t.state}, exit ${t.exitCode ?? '?'}${t.error ? `: ${t.error}` : ''}; log ${t.log}:\n${t.logTail}`,
    );
  return table(['#', 'POINT', 'JOB', 'STATE', 'EXIT', 'NODE', 'EPOCH', 'TEST ACC', 'RUN'], rows) + tails.join('\n');
}

/** `plateau sweep`: a grid of overrides x seeds, run here or as one Slurm job array, then status/collect/cancel/resubmit. */
export function sweepCommand(program: Command, globals: () => GlobalOptions): void {
  const sweep = program
    .command('sweep')
    .description('run a preset over a grid of settings x seeds, here or on a Slurm cluster')
    .option('--preset <name>', 'preset to start from')
    .option('--grid <key=v1,v2...>', 'a dotted setting and its values; repeat for more axes', collectArgs)
    .option('--seeds <list>', 'seeds, e.g. 0-4 or 0,2,7', '0')
    .option('--epochs <n>', 'epochs of every run (the same as --grid epochs=N)')
    .option('--project <name>', 'project to record the runs in (created if missing)', 'default')
    .option('--name <name>', 'sweep name (default: preset and time)')
    .option('--slurm', 'submit as a Slurm job array instead of running here')
    .option('--shared-dir <dir>', 'folder both this machine and the nodes see (Slurm)')
    .option('--partition <p>')
    .option('--time <HH:MM:SS>')
    .option('--cpus-per-task <n>')
    .option('--mem <m>')
    .option('--gres <g>')
    .option('--account <a>')
    .option('--ssh <user@host>', 'submit through this login node')
    .option('--node <path>', 'node binary on the compute nodes (default: this one; "node" with --ssh)')
    .option('--plateau <path>', 'bin/plateau.mjs on the compute nodes (default: this install)')
    .action((o: SweepOpts) => {
      const g = globals();
      if (!o.preset) throw invalid('--preset is required (or use a subcommand: status, collect, cancel, resubmit).');
      const axes = parseGrid(o.grid ?? []);
      if (o.epochs !== undefined) {
        if (!/^\d+$/.test(o.epochs.trim())) throw invalid(`--epochs '${o.epochs}' is not a whole number of epochs.`);
        if (axes.some(([k]) => k === 'epochs')) throw invalid('Pass --epochs or --grid epochs=..., not both.');
        axes.push(['epochs', [o.epochs.trim()]]);
      }
      const seeds = parseSeeds(o.seeds);
      return withClient(g, async (client, app) => {
        const project = await findOrCreateProject(client, o.project);
        if (!o.slurm) return runLocal(g, client, app, project.id, o, axes, seeds);
        if (!o.sharedDir) throw invalid('--slurm needs --shared-dir: a folder this machine and the compute nodes both see.');
        const cpus = o.cpusPerTask === undefined ? undefined : Number(o.cpusPerTask);
        if (cpus !== undefined && !(Number.isInteger(cpus) && cpus > 0))
          throw invalid(`--cpus-per-task '${o.cpusPerTask}' is not a positive integer.`);
        const slurm: SlurmOptions = Object.fromEntries(
          Object.entries({
            partition: o.partition,
            time: o.time,
            cpusPerTask: cpus,
            mem: o.mem,
            gres: o.gres,
            account: o.account,
            ssh: o.ssh,
          }).filter(([, v]) => v !== undefined),
        );
        const { record, manifest } = await submitSweep(app.ctx, {
          projectId: project.id,
          preset: o.preset!,
          points: expandGrid(axes, seeds),
          sharedDir: o.sharedDir,
          slurm,
          name: o.name,
          node: o.node,
          plateau: o.plateau,
        });
        const job = record.submissions[0];
        emit(
          g,
          { sweep: record.id, job_id: job.jobId, cluster: job.cluster ?? null, tasks: manifest.points.length, dir: record.sweepDir },
          () =>
            `Submitted sweep '${record.id}' as Slurm job ${job.jobId} (${manifest.points.length} tasks) in ${record.sweepDir}.\n` +
            "Follow it with 'plateau sweep status'; bring results home with 'plateau sweep collect'.",
        );
      });
    });

  // --project is the sweep command's own option, read from there: defined again on a subcommand, the parent
  // took it (commander parses a parent's options after the subcommand name too) and the subcommand saw 'default'.
  const withSweep = (o: { sweep?: string }, fn: (app: App, client: Client, record: ReturnType<typeof loadRecord>) => Promise<void>) =>
    withClient(globals(), async (client, app) => {
      const project = await findProject(client, sweep.opts<SweepOpts>().project);
      return fn(app, client, loadRecord(app.ctx.dataDir, project.id, o.sweep));
    });
  const sub = (name: string, description: string) =>
    sweep
      .command(name)
      .description(`${description} (--project NAME picks the project)`)
      .option('--sweep <name>', 'sweep name (default: the newest)');

  sub('status', "each task's state (Slurm's, or its run's here) and live progress").action((o: { sweep?: string }) =>
    withSweep(o, async (app, _client, record) => {
      const tasks = await anySweepStatus(app.ctx, record);
      emit(
        globals(),
        { sweep: record.id, kind: record.kind ?? 'slurm', tasks },
        () => `Sweep '${record.id}' (${sweepWhere(record)})\n${statusTable(tasks)}`,
      );
    }),
  );

  sub('collect', 'merge finished tasks into the project (again adds nothing twice)').action((o: { sweep?: string }) =>
    withSweep(o, async (app, _client, record) => {
      const r = await anySweepCollect(app.ctx, record);
      const added = r.added.length ? ` (${r.added.map((a) => `#${a.index} -> run ${a.runId}`).join(', ')})` : '';
      emit(globals(), { sweep: record.id, ...r }, () =>
        record.kind === 'local'
          ? `Sweep '${record.id}' ran here: its ${r.already.length} runs are in the project already.`
          : [
              `Collected ${r.added.length} new runs${added}; ${r.already.length} collected before.`,
              ...r.skipped.map((s) => `  #${s.index} not collected (${s.state}): ${s.reason}`),
            ].join('\n'),
      );
    }),
  );

  sub('cancel', 'cancel the sweep, or some grid points')
    .option('--index <list>', 'grid points, e.g. 3 or 0-2,5')
    .action((o: { sweep?: string; index?: string }) =>
      withSweep(o, async (app, _client, record) => {
        const targets = await anySweepCancel(app.ctx, record, indexList(o.index));
        emit(globals(), { sweep: record.id, cancelled: targets }, () =>
          targets.length ? `Cancelled ${targets.join(', ')}.` : `Nothing to cancel: every task of sweep '${record.id}' has ended.`,
        );
      }),
    );

  sub('resubmit', 'resubmit failed, timed-out and cancelled points as a new array job')
    .option('--failed', 'the failed, timed-out and cancelled points (the default)')
    .option('--index <list>', 'these grid points instead')
    .action((o: { sweep?: string; index?: string; failed?: boolean }) =>
      withSweep(o, async (app, client, record) => {
        if (o.failed && o.index) throw invalid('Pass --failed or --index, not both.');
        const r = await anySweepResubmit(app.ctx, record, indexList(o.index));
        if (record.kind === 'local') {
          // run here, so this process trains them: follow them as the sweep did
          const ids = r.indices.map((i) => record.points.find((p) => p.index === i)!.runId); // the new runs, recorded by the resubmit
          await follow(globals(), client, app, await Promise.all(ids.map((id) => client.runs.get({ id }))), `sweep ${record.id}`);
        }
        emit(globals(), { sweep: record.id, job_id: r.jobId, indices: r.indices }, () =>
          record.kind === 'local'
            ? `Ran points ${r.indices.join(', ')} again.`
            : `Resubmitted points ${r.indices.join(', ')} as Slurm job ${r.jobId}.`,
        );
      }),
    );
}
