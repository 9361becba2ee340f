import { afterEach, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('JobManager', () => {
  it('runs a job, throttles progress and records success', async () => {
    t = testApp();
    const states: string[] = [];
    const progress: number[] = [];
    t.client.on('job.state', (e) => states.push(e.state));
    t.client.on('job.progress', (e) => progress.push(e.fraction));
    t.app.ctx.jobs.register('metrics', async (ctx) => {
      for (let i = 1; i <= 50; i++) ctx.progress(i / 50, `step ${i}`);
    });
    const job = t.app.ctx.jobs.enqueue('metrics', null, null, { keys: ['kappa'] });
    await t.app.ctx.jobs.idle();
    expect(states).toEqual(['queued', 'running', 'succeeded']);
    expect(progress.length).toBeLessThanOrEqual(2); // 50 calls within 100 ms: the first and the last (fraction 1)
    expect(progress.at(-1)).toBe(1);
    expect(await t.client.jobs.list({})).toMatchObject([{ id: job.id, state: 'succeeded', progress: 1, message: 'step 50' }]);
  });

  it('records a failure with its message', async () => {
    t = testApp();
    t.app.ctx.jobs.register('metrics', async () => {
      throw new Error('the dump has no labels');
    });
    const job = t.app.ctx.jobs.enqueue('metrics', null, null, {});
    await t.app.ctx.jobs.idle();
    expect(t.app.ctx.repos.jobs.get(job.id)).toMatchObject({ state: 'failed', error: 'the dump has no labels' });
  });

  it('cancels a queued job at once and a running job cooperatively', async () => {
    t = testApp(); // concurrency 1
    let sawAbort = false;
    t.app.ctx.jobs.register(
      'train',
      (ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          });
        }),
    );
    const first = t.app.ctx.jobs.enqueue('train', null, null, {});
    const second = t.app.ctx.jobs.enqueue('train', null, null, {});
    await until(() => t.app.ctx.repos.jobs.get(first.id).state === 'running');
    expect((await t.client.jobs.cancel({ id: second.id })).state).toBe('cancelled');
    await t.client.jobs.cancel({ id: first.id });
    await until(() => t.app.ctx.repos.jobs.get(first.id).state === 'cancelled');
    expect(sawAbort).toBe(true);
    await expect(t.client.jobs.cancel({ id: first.id })).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('runs no more than `concurrency` jobs at once', async () => {
    t = testApp();
    let live = 0;
    let peak = 0;
    t.app.ctx.jobs.concurrency = 2;
    t.app.ctx.jobs.register('metrics', async () => {
      peak = Math.max(peak, ++live);
      await new Promise((r) => setTimeout(r, 20));
      live--;
    });
    for (let i = 0; i < 5; i++) t.app.ctx.jobs.enqueue('metrics', null, null, {});
    await t.app.ctx.jobs.idle();
    expect(peak).toBe(2);
    expect(t.app.ctx.repos.jobs.list({}).every((j) => j.state === 'succeeded')).toBe(true);
  });

  it('treats a Cancelled error from the runner as a cancellation', async () => {
    t = testApp();
    t.app.ctx.jobs.register('import', async () => {
      throw new PlateauError('Cancelled', 'stopped by the user');
    });
    const job = t.app.ctx.jobs.enqueue('import', null, null, { path: '/nowhere' });
    await t.app.ctx.jobs.idle();
    expect(t.app.ctx.repos.jobs.get(job.id)).toMatchObject({ state: 'cancelled', error: null });
  });
});
