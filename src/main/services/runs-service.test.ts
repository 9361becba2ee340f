import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

describe('runs.start', () => {
  it('a study preset starts each variant over each seed, overrides applied to all, runs tagged by variant', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const runs = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-interventions',
      set: { 'dataset.p': 13, 'model.width': 8, epochs: 2 },
      seeds: [0, 1],
      metrics: false,
    });
    expect(runs.map((r) => r.name)).toEqual([
      'grokking-interventions baseline s0',
      'grokking-interventions baseline s1',
      'grokking-interventions anti-flatness s0',
      'grokking-interventions anti-flatness s1',
      'grokking-interventions anti-collapse s0',
      'grokking-interventions anti-collapse s1',
    ]);
    expect(runs.map((r) => r.tags)).toEqual([
      ['baseline'],
      ['baseline'],
      ['anti-flatness'],
      ['anti-flatness'],
      ['anti-collapse'],
      ['anti-collapse'],
    ]);
    const kinds = runs.map((r) => (r.config as { interventions: { kind: string }[] }).interventions.map((i) => i.kind).join());
    expect(kinds).toEqual(['', '', 'anti-flatness', 'anti-flatness', 'anti-collapse', 'anti-collapse']);
    for (const r of runs) expect(r.config).toMatchObject({ epochs: 2, dataset: { p: 13 }, model: { width: 8 } });
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.list({ projectId: p.id })).map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    // without seeds, the study's own (0-2); a caller's whole config is one run, not a study
    const all = await t.client.runs.start({ projectId: p.id, preset: 'grokking-interventions', set: { epochs: 1 }, metrics: false });
    expect(all).toHaveLength(9);
    for (const r of all) await t.client.runs.cancel({ id: r.id }).catch(() => {});
    const one = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-interventions',
      config: { epochs: 1, dataset: { kind: 'modular', p: 13 } },
      metrics: false,
    });
    expect(one).toHaveLength(1);
    await t.app.ctx.jobs.idle();
  });
});

describe('runs.note', () => {
  it('keeps the notes a researcher writes, replaces them whole, and refuses more than 20 000 characters', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'P' });
    const [run] = await t.client.runs.start({
      projectId: p.id,
      preset: 'grokking-mlp',
      set: { 'dataset.p': 7, epochs: 1 },
      seeds: [0],
      metrics: false,
    });
    expect(run.notes).toBe('');
    await t.client.runs.note({ id: run.id, notes: 'lr too high?\nsee seed 1' });
    expect((await t.client.runs.get({ id: run.id })).notes).toBe('lr too high?\nsee seed 1');
    expect((await t.client.runs.note({ id: run.id, notes: '' })).notes).toBe('');
    await expect(t.client.runs.note({ id: run.id, notes: 'x'.repeat(20_001) })).rejects.toThrow(/notes.*at most 20 000/);
    await expect(t.client.runs.note({ id: 999, notes: 'x' })).rejects.toThrow(/No run with id 999/);
    await t.app.ctx.jobs.idle();
  });
});
