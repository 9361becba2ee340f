import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

describe('checkpoint browser', () => {
  it('inspects layers and diffs checkpoints, agreeing with the weights-only metrics', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { 'dataset.p': 23, 'model.width': 16, epochs: 12 },
    });
    await t.app.ctx.jobs.idle();
    const ckpts = await t.client.runs.checkpoints({ id: run.id });
    const first = ckpts[0];
    const last = ckpts.at(-1)!;
    const detail = await t.client.checkpoints.inspect({ id: last.id });
    expect(detail.layers.map((l) => l.name).sort()).toEqual(['embed_a.weight', 'embed_b.weight', 'out.weight']);
    expect(detail.optimizerTensors).toBeGreaterThan(0);
    const out = detail.layers.find((l) => l.name === 'out.weight')!;
    expect(out.shape).toEqual([23, 16]);
    expect(out.histogram.counts.reduce((a, b) => a + b, 0)).toBe(23 * 16);

    const series = await t.client.metrics.series({ runIds: [run.id], keys: ['fro_norm', 'dist_from_init'], split: 'none' });
    const at = (key: string) => {
      const s = series.find((x) => x.key === key && x.layer === 'out.weight')!;
      return s.values[s.steps.indexOf(last.step)];
    };
    expect(out.froNorm).toBeCloseTo(at('fro_norm'), 4);

    const diff = await t.client.checkpoints.diff({ a: first.id, b: last.id });
    expect(diff.unmatched).toEqual([]);
    expect(diff.layers.find((l) => l.name === 'out.weight')!.distance).toBeCloseTo(at('dist_from_init'), 4);
    const self = await t.client.checkpoints.diff({ a: last.id, b: last.id });
    expect(self.layers.every((l) => l.distance === 0 && Math.abs(l.cosine! - 1) < 1e-12)).toBe(true);
    await expect(t.client.checkpoints.inspect({ id: 9999 })).rejects.toMatchObject({ code: 'NotFound' });
  });
});
