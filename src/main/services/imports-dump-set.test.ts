import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDumpSet } from '../io/lm-dump-set';
import { computeEvalSetMetrics } from '../ml/metrics/eval-sets';
import { testApp } from '../test/test-app';
import { writeDumpSet, type DumpSetSpec } from '../test/write-dump-set';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

/** A dump set of a 6-class head, m = 4, sets en and de; `shift` moves the features (a later checkpoint). */
function spec(shift: number): DumpSetSpec {
  const n = { en: 40, de: 30 };
  const sets = (['en', 'de'] as const).map((name, s) => ({
    name,
    labels: Int32Array.from({ length: n[name] }, (_, i) => (i * (s + 2)) % 6),
    features: Float32Array.from({ length: n[name] * 4 }, (_, i) => Math.sin(i * 0.37 + s) + shift * Math.cos(i)),
  }));
  return { weight: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.3)), C: 6, m: 4, chunkRows: 16, trainSet: 'en', sets };
}

describe('importing LM dump sets', () => {
  it('a folder of dump sets (step100/, step200/) is one run; each set stores every key under its name, per checkpoint', async () => {
    t = testApp();
    const root = join(t.dataDir, 'pythia-dumps');
    const dirs = [100, 200].map((step, i) => writeDumpSet(join(root, `step${step}`), spec(i * 0.5)));
    const preview = await t.client.imports.inspect({ path: root });
    expect(preview.files.map((f) => f.step)).toEqual([100, 200]);
    expect(preview.skipped).toEqual([]); // head.npz belongs to its dump set
    const p = await t.client.projects.create({ name: 'LM' });
    const started = await t.client.imports.start({ projectId: p.id, path: root });
    await t.app.ctx.jobs.idle();
    const run = await t.client.runs.get({ id: started.id });
    expect(run.status).toBe('imported');
    expect((await t.client.runs.checkpoints({ id: run.id })).map((c) => c.step)).toEqual([100, 200]);
    const series = await t.client.metrics.series({
      runIds: [run.id],
      keys: ['kappa', 'loss', 'gap_loss', 'perplexity', 'train_loss', 'fro_norm'],
    });
    const at = (key: string, split: string) => series.find((s) => s.key === key && s.split === split && s.layer === '');
    // the same values as the in-process computation on each checkpoint's dump set
    for (const [i, d] of dirs.entries()) {
      const set = openDumpSet(d);
      const want = computeEvalSetMetrics(set.splits, set.layer, undefined, { trainSet: 'en' });
      for (const name of ['en', 'de'])
        for (const key of ['kappa', 'loss', 'gap_loss', 'perplexity']) {
          expect(at(key, name)?.steps).toEqual([100, 200]);
          expect(at(key, name)!.values[i]).toBeCloseTo(want.sets[name][key], 10);
        }
      expect(at('train_loss', 'train')!.values[i]).toBeCloseTo(want.sets.en.loss, 10);
    }
    expect(at('fro_norm', 'none')?.steps).toEqual([100, 200]);
  }, 60_000);

  it('a dump set whose head does not match its features fails the import naming the file, and leaves no checkpoint', async () => {
    t = testApp();
    const d = writeDumpSet(join(t.dataDir, 'broken'), spec(0));
    const s = spec(0);
    s.sets[1].labels[3] = 9; // a target >= C
    writeDumpSet(join(t.dataDir, 'broken-src'), s);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(t.dataDir, 'broken-src/de/chunk-00000.npz'), join(d, 'de/chunk-00000.npz'));
    const p = await t.client.projects.create({ name: 'LM' });
    const started = await t.client.imports.start({ projectId: p.id, path: d });
    await t.app.ctx.jobs.idle();
    const job = (await t.client.jobs.list({})).find((j) => j.runId === started.id)!;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/de\/chunk-00000\.npz: label 9 at row 3 is outside \[0, 6\)/);
    expect(await t.client.runs.checkpoints({ id: started.id })).toEqual([]);
  }, 60_000);

  it('a series whose later checkpoint has a chunk of the wrong width files nothing: every checkpoint is computed first', async () => {
    t = testApp();
    const root = join(t.dataDir, 'series');
    writeDumpSet(join(root, 'step100'), spec(0));
    const later = writeDumpSet(join(root, 'step200'), spec(0.5));
    // m = 3 features in one chunk of a 4-wide head: found only while streaming, after step100 was computed
    const narrow = spec(0.5);
    writeDumpSet(join(t.dataDir, 'narrow'), {
      ...narrow,
      m: 3,
      weight: new Float32Array(18),
      sets: narrow.sets.map((x) => ({ ...x, features: x.features.slice(0, x.labels.length * 3) })),
    });
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(t.dataDir, 'narrow/en/chunk-00001.npz'), join(later, 'en/chunk-00001.npz'));
    const p = await t.client.projects.create({ name: 'LM' });
    const started = await t.client.imports.start({ projectId: p.id, path: root });
    await t.app.ctx.jobs.idle();
    const job = (await t.client.jobs.list({})).find((j) => j.runId === started.id)!;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/step200\/en\/chunk-00001\.npz: 'features' must be \[16, 4\]/);
    expect(await t.client.runs.checkpoints({ id: started.id })).toEqual([]);
    expect(await t.client.metrics.series({ runIds: [started.id], keys: ['loss'] })).toEqual([]);
  }, 60_000);
});
