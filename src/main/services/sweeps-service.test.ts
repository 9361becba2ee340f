import { afterEach, describe, expect, it } from 'vitest';
import { startLocalSweep } from '../sweeps/local-sweep';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

describe('sweeps service', () => {
  it('lists a local sweep beside Slurm ones and answers status and collect for it from its runs', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const points = [0, 1].map((seed, index) => ({ index, seed, set: { 'dataset.p': '11', 'model.width': '8', epochs: '1' } }));
    const { runs } = await startLocalSweep(t.app.ctx, { projectId: p.id, preset: 'grokking-mlp', points, name: 'here' });
    await t.app.ctx.jobs.idle();
    expect(await t.client.sweeps.list({ projectId: p.id })).toMatchObject([{ id: 'here', sweepDir: '', jobs: [], collected: 2 }]);
    const { tasks } = await t.client.sweeps.status({ projectId: p.id, id: 'here' });
    expect(tasks.map((x) => [x.index, x.state, x.collectedRunId, x.epoch, x.jobId])).toEqual([
      [0, 'completed', runs[0].id, 1, null],
      [1, 'completed', runs[1].id, 1, null],
    ]);
    expect(await t.client.sweeps.collect({ projectId: p.id, id: 'here' })).toEqual({ added: 0, already: 2, skipped: [] });
    await expect(t.client.sweeps.resubmit({ projectId: p.id, id: 'here' })).rejects.toMatchObject({
      message: expect.stringMatching(/no failed or cancelled points/),
    });
  });
});
