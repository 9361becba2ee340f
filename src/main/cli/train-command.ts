import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import { parseSetting } from '../../shared/domain/config-overrides';
import type { MetricRow } from '../../shared/jobs/messages';
import { emit, type GlobalOptions } from './output';
import { progressBar } from './progress-bar';
import { findOrCreateProject } from './projects-command';
import { withClient } from './session';

const EPOCH_FIELDS = ['train_loss', 'train_acc', 'test_loss', 'test_acc'] as const;

export function trainCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('train')
    .description('train a model headless (a preset plus any overrides)')
    .requiredOption('--preset <name>', 'preset to start from (e.g. grokking-mlp)')
    .option('--set <key=value...>', 'override a setting by dotted path, e.g. optimizer.lr=0.001', (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ])
    .option('--epochs <n>', 'number of epochs')
    .option('--seed <s>', 'random seed')
    .option('--backend <name>', 'tfjs backend: tfjs-node-gpu, webgpu, tfjs-node, wasm or cpu')
    .option('--project <name>', 'project to record the run in (created if missing)', 'default')
    .option('--no-metrics', 'do not measure checkpoints (flatness, collapse, weights) as they are written')
    .action(
      (o: { preset: string; set?: string[]; epochs?: string; seed?: string; backend?: string; project: string; metrics: boolean }) => {
        const g = globals();
        const set: Record<string, unknown> = {};
        try {
          for (const s of o.set ?? []) {
            const [k, v] = parseSetting(s);
            set[k] = v;
          }
        } catch (err) {
          throw invalid((err as Error).message);
        }
        if (o.epochs !== undefined) set.epochs = Number(o.epochs);
        const seeds = o.seed !== undefined ? [Number(o.seed)] : undefined; // for a study, each variant with this seed
        return withClient({ ...g, backend: o.backend }, async (client, app) => {
          const project = await findOrCreateProject(client, o.project);
          // one run, or a study preset's every variant and seed
          const runs = await client.runs.start({ projectId: project.id, preset: o.preset, set, seeds, metrics: o.metrics });
          const epochsOf = (r: (typeof runs)[number]) => (r.config as { epochs: number }).epochs;
          const total = runs.reduce((n, r) => n + epochsOf(r), 0);
          const bar = g.json
            ? undefined
            : progressBar(runs.length === 1 ? `run ${runs[0].id} ${runs[0].name}` : `${runs.length} runs`, total);
          const reached = new Map<number, number>(); // run -> last epoch logged
          const pending = new Map<string, Record<string, number>>();
          client.on('run.metrics', ({ runId, rows }) => {
            if (!runs.some((r) => r.id === runId)) return;
            // Rows tied to a checkpoint are its metrics, not the epoch log.
            for (const r of (rows as MetricRow[]).filter((x) => x.checkpointStep === undefined)) {
              const k = `${runId}:${r.step}`;
              pending.set(k, { ...pending.get(k), run_id: runId, epoch: r.epoch ?? 0, step: r.step, [r.key]: r.value });
            }
            for (const [k, v] of [...pending].sort((x, y) => x[1].step - y[1].step)) {
              if (EPOCH_FIELDS.some((f) => v[f] === undefined)) continue; // a batch may split an epoch's rows
              pending.delete(k);
              reached.set(v.run_id, v.epoch);
              if (g.json)
                process.stdout.write(
                  `${JSON.stringify({ type: 'progress', run_id: v.run_id, epoch: v.epoch, step: v.step, ...Object.fromEntries(EPOCH_FIELDS.map((f) => [f, v[f]])) })}\n`,
                );
              else
                bar!.update(
                  [...reached.values()].reduce((n, e) => n + e, 0),
                  `train ${(v.train_acc * 100).toFixed(1)}%  test ${(v.test_acc * 100).toFixed(1)}%  loss ${v.train_loss.toExponential(2)}`,
                );
            }
          });
          const stop = () => void Promise.all(runs.map((r) => client.runs.cancel({ id: r.id }).catch(() => {})));
          process.once('SIGINT', stop);
          await app.ctx.jobs.idle();
          process.off('SIGINT', stop);
          bar?.done();
          for (const run of runs) {
            const done = await client.runs.get({ id: run.id });
            const last = (done.summary as { last?: Record<string, number> }).last ?? {};
            const ckpts = await client.runs.checkpoints({ id: run.id });
            const summary = {
              type: 'summary',
              run_id: run.id,
              status: done.status,
              backend: done.backend,
              epochs: (done.summary as { epochs?: number }).epochs ?? 0,
              wall_s: (done.summary as { wallSeconds?: number }).wallSeconds ?? null,
              train_acc: last.train_acc ?? null,
              test_acc: last.test_acc ?? null,
              train_loss: last.train_loss ?? null,
              test_loss: last.test_loss ?? null,
              checkpoints: ckpts.length,
              ...(done.error ? { error: done.error } : {}),
            };
            emit(
              g,
              summary,
              () =>
                `Run ${run.id} (${done.name}) ${done.status} on ${done.backend} in ${Number(summary.wall_s).toFixed(1)} s: ` +
                `train acc ${((summary.train_acc ?? 0) * 100).toFixed(1)}%, test acc ${((summary.test_acc ?? 0) * 100).toFixed(1)}%, ${ckpts.length} checkpoints.` +
                (done.error ? `\n${done.error}` : ''),
            );
            if (done.status === 'failed') process.exitCode = 1;
          }
        });
      },
    );
}
