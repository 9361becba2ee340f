import { type Command, InvalidArgumentError } from 'commander';
import { emit, type GlobalOptions } from './output';
import { withClient } from './session';

const parseRunId = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a run id (a whole number >= 1).');
  return n;
};

/** `plateau resume <run>`: a run cut off (a killed `plateau train`, a crash), cancelled or failed trains on from its last checkpoint. */
export function resumeCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('resume')
    .description('resume an interrupted, cancelled or failed run from its last checkpoint')
    .argument('<run-id>', 'the run to resume', parseRunId)
    .action((id: number) => {
      const g = globals();
      return withClient(g, async (client, app) => {
        const from = (await client.runs.checkpoints({ id })).at(-1)?.step;
        await client.runs.resume({ id });
        // under --json, a line per progress event (at most 10 a second), so a script can follow the run
        client.on('job.progress', (e) => {
          if (g.json && e.runId === id && e.values)
            process.stdout.write(`${JSON.stringify({ type: 'progress', run_id: id, epoch: e.values.epoch, step: e.values.step })}\n`);
        });
        await app.ctx.jobs.idle();
        const done = await client.runs.get({ id });
        const epochs = (done.summary as { epochs?: number }).epochs ?? 0;
        emit(
          g,
          {
            type: 'summary',
            run_id: id,
            status: done.status,
            resumed_from_step: from ?? null,
            epochs,
            ...(done.error ? { error: done.error } : {}),
          },
          () =>
            `Run ${id} (${done.name}) resumed from step ${from} and ${done.status} after ${epochs} epochs.${done.error ? `\n${done.error}` : ''}`,
        );
        if (done.status !== 'succeeded') process.exitCode = 1;
      });
    });
}
