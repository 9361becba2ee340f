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
  program.command('train').description('train a model headless (a preset plus any overrides)')
    .requiredOption('--preset <name>', 'preset to start from (e.g. grokking-mlp)')
    .option('--set <key=value...>', 'override a setting by dotted path, e.g. optimizer.lr=0.001', (v: string, acc: string[] = []) => [...acc, v])
    .option('--epochs <n>', 'number of epochs')
    .option('--seed <s>', 'random seed')
    .option('--backend <name>', 'tfjs backend: tfjs-node-gpu, webgpu, tfjs-node, wasm or cpu')
    .option('--project <name>', 'project to record the run in (created if missing)', 'default')
    .action((o: { preset: string; set?: string[]; epochs?: string; seed?: string; backend?: string; project: string }) => {
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
      if (o.seed !== undefined) set.seed = Number(o.seed);
      return withClient({ ...g, backend: o.backend }, async (client, app) => {
        const project = await findOrCreateProject(client, o.project);
        const [run] = await client.runs.start({ projectId: project.id, preset: o.preset, set });
        const epochs = (run.config as { epochs: number }).epochs;
        const bar = g.json ? undefined : progressBar(`run ${run.id} ${run.name}`, epochs);
        const byStep = new Map<number, Record<string, number>>();
        client.on('run.metrics', ({ runId, rows }) => {
          if (runId !== run.id) return;
          // Rows tied to a checkpoint come from the metrics job that follows training, not from the epoch log.
          for (const r of (rows as MetricRow[]).filter((x) => x.checkpointStep === undefined)) byStep.set(r.step, { ...byStep.get(r.step), epoch: r.epoch ?? 0, step: r.step, [r.key]: r.value });
          for (const [step, v] of [...byStep].sort((a, b) => a[0] - b[0])) {
            if (EPOCH_FIELDS.some((f) => v[f] === undefined)) continue; // a batch may split an epoch's rows
            byStep.delete(step);
            if (g.json) process.stdout.write(`${JSON.stringify({ type: 'progress', epoch: v.epoch, step, ...Object.fromEntries(EPOCH_FIELDS.map((f) => [f, v[f]])) })}\n`);
            else bar!.update(v.epoch, `train ${(v.train_acc * 100).toFixed(1)}%  test ${(v.test_acc * 100).toFixed(1)}%  loss ${v.train_loss.toExponential(2)}`);
          }
        });
        const stop = () => void client.runs.cancel({ id: run.id }).catch(() => {});
        process.once('SIGINT', stop);
        await app.ctx.jobs.idle();
        process.off('SIGINT', stop);
        bar?.done();
        const done = await client.runs.get({ id: run.id });
        const last = (done.summary as { last?: Record<string, number> }).last ?? {};
        const ckpts = await client.runs.checkpoints({ id: run.id });
        const summary = {
          type: 'summary', run_id: run.id, status: done.status, backend: done.backend, epochs: (done.summary as { epochs?: number }).epochs ?? 0,
          wall_s: (done.summary as { wallSeconds?: number }).wallSeconds ?? null,
          train_acc: last.train_acc ?? null, test_acc: last.test_acc ?? null, train_loss: last.train_loss ?? null, test_loss: last.test_loss ?? null,
          checkpoints: ckpts.length, ...(done.error ? { error: done.error } : {}),
        };
        emit(g, summary, () => `Run ${run.id} ${done.status} on ${done.backend} in ${Number(summary.wall_s).toFixed(1)} s: ` +
          `train acc ${((summary.train_acc ?? 0) * 100).toFixed(1)}%, test acc ${((summary.test_acc ?? 0) * 100).toFixed(1)}%, ${ckpts.length} checkpoints.` +
          (done.error ? `\n${done.error}` : ''));
        if (done.status === 'failed') process.exitCode = 1;
      });
    });
}
