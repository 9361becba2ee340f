// Training logs through the contract, as `plateau import` and the Import view use it: inspect lists every
// run (read and checked), start imports one run per folder, and the stored rows are the values the
// independent writer (test/fixtures/logs/make_log_fixtures.py) wrote. A bad file leaves no run behind.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSafetensors } from '../io/safetensors';
import { runWorker, workerEntry } from '../jobs/worker-runner';
import { testApp } from '../test/test-app';

const LOGS = resolve(__dirname, '../../../test/fixtures/logs');
const expected = JSON.parse(readFileSync(join(LOGS, 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, { tags: Record<string, [number, number][]>; settings: Record<string, unknown> }>
>;
let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

/** Imports every run the preview lists, as the CLI does; returns the runs by name. */
async function importLogs(path: string) {
  const project = await t.client.projects.create({ name: `P${Math.random()}` });
  const preview = await t.client.imports.inspect({ path });
  for (const r of preview.runs) await t.client.imports.start({ projectId: project.id, path: r.path, name: r.name });
  await t.app.ctx.jobs.idle();
  const runs = await t.client.runs.list({ projectId: project.id });
  return { preview, project, runs: new Map(runs.map((r) => [r.name, r])) };
}

async function expectStored(runId: number, tags: Record<string, [number, number][]>, keyOf: Record<string, string>) {
  for (const [tag, pts] of Object.entries(tags)) {
    const [s] = await t.client.metrics.series({ runIds: [runId], keys: [keyOf[tag]], split: 'none' });
    expect(s.steps).toEqual(pts.map((p) => p[0]));
    s.values.forEach((v, i) => expect(v).toBeCloseTo(pts[i][1], 12));
  }
}

describe('importing training logs', () => {
  it('lists the log formats wherever formats are listed (system.info, so plateau info and the Import view)', async () => {
    t = testApp();
    const info = await t.client.system.info({});
    expect(info.importFormats.map((f) => f.id)).toEqual(expect.arrayContaining(['tensorboard', 'wandb', 'mlflow']));
    expect(info.importFormats.find((f) => f.id === 'tensorboard')?.label).toMatch(/TensorBoard event files/);
  });

  it('a TensorBoard runs/ folder: one run per sub-folder, every scalar and histogram statistic stored, tags kept beside keys', async () => {
    t = testApp();
    const { preview, runs } = await importLogs(join(LOGS, 'tensorboard', 'runs'));
    expect(preview.format).toBe('tensorboard');
    expect(preview.tensors).toEqual([]);
    expect([...runs.keys()].sort()).toEqual(['lr0.01', 'lr0.1']);
    for (const [name, run] of runs) {
      expect(run).toMatchObject({ status: 'imported', origin: 'imported' });
      const logTags = run.config.logTags as Record<string, string>;
      const keyOf = Object.fromEntries(Object.entries(logTags).map(([k, tag]) => [tag, k]));
      expect(Object.keys(keyOf).sort()).toEqual(Object.keys(expected.tensorboard[name].tags).sort());
      await expectStored(run.id, expected.tensorboard[name].tags, keyOf);
    }
    expect(runs.get('lr0.01')!.config.logTags).toMatchObject({ val_loss_ema: 'val loss (ema)' });
  });

  it('W&B and MLflow runs carry their config as the run settings', async () => {
    t = testApp();
    const wandb = await importLogs(join(LOGS, 'wandb'));
    for (const [name, want] of Object.entries(expected.wandb)) {
      const run = wandb.runs.get(name)!;
      expect(run.config.settings).toEqual(want.settings);
      await expectStored(run.id, want.tags, Object.fromEntries(Object.keys(want.tags).map((k) => [k, k])));
    }
    const mlflow = await importLogs(join(LOGS, 'mlflow', 'mlruns'));
    for (const [name, want] of Object.entries(expected.mlflow)) {
      const run = mlflow.runs.get(name)!;
      expect(run.config).toMatchObject({ format: 'mlflow', settings: want.settings, logInfo: { experiment: 'mnist-mlp' } });
      await expectStored(run.id, want.tags, { loss: 'loss', 'val/acc': 'val/acc' });
    }
  });

  it('a folder with a corrupt event file is refused whole by inspect and start: no run of it appears', async () => {
    t = testApp();
    const root = join(t.dataDir, 'bad-runs');
    for (const name of ['lr0.1', 'lr0.01']) {
      mkdirSync(join(root, name), { recursive: true });
      for (const f of readdirSync(join(LOGS, 'tensorboard', 'runs', name)))
        copyFileSync(join(LOGS, 'tensorboard', 'runs', name, f), join(root, name, f));
    }
    const bad = join(root, 'lr0.01', readdirSync(join(root, 'lr0.01'))[0]);
    const bytes = readFileSync(bad);
    writeFileSync(bad, bytes.subarray(0, bytes.length - 5));
    const project = await t.client.projects.create({ name: 'P' });
    await expect(t.client.imports.inspect({ path: root })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(new RegExp(`^${bad.replace(/[.]/g, '\\.')}: record \\d+ \\(byte \\d+\\): .*truncated`)),
    });
    await expect(t.client.imports.start({ projectId: project.id, path: join(root, 'lr0.01') })).rejects.toThrow(/truncated/);
    await expect(t.client.imports.start({ projectId: project.id, path: root })).rejects.toThrow(/truncated/);
    expect(await t.client.runs.list({ projectId: project.id })).toEqual([]);
  });

  it('the import worker (used when the inspection copy is gone) posts the same series, in chunks', async () => {
    const got: Record<string, [number, number][]> = {};
    const result = await runWorker(
      workerEntry('import'),
      { path: join(LOGS, 'tensorboard', 'runs', 'lr0.1'), runDir: join(LOGS, 'unused'), logs: true },
      (m) => {
        if (m.type !== 'series') return;
        expect(m.split).toBe('none');
        got[m.key] = [...(got[m.key] ?? []), ...m.steps.map((step, i): [number, number] => [step, m.values[i]])];
      },
      new AbortController().signal,
      'thread',
    ).done;
    expect(result).toMatchObject({ format: 'tensorboard', series: 6 });
    const want = expected.tensorboard['lr0.1'].tags;
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort()); // these tags need no sanitising
    for (const [tag, pts] of Object.entries(want)) {
      expect(got[tag].map((p) => p[0])).toEqual(pts.map((p) => p[0]));
      got[tag].forEach(([, v], i) => expect(v).toBeCloseTo(pts[i][1], 12));
    }
  });

  it('a folder of checkpoints with TensorBoard logs beside them (a Trainer output_dir) stays a checkpoint import, the logs listed as left out', async () => {
    t = testApp();
    const dir = join(t.dataDir, 'trainer-out');
    const events = join(dir, 'runs', 'Dec06_12-00-00_host');
    mkdirSync(events, { recursive: true });
    for (const f of readdirSync(join(LOGS, 'tensorboard', 'runs', 'lr0.01')))
      copyFileSync(join(LOGS, 'tensorboard', 'runs', 'lr0.01', f), join(events, f));
    writeFileSync(
      join(dir, 'model_step5.safetensors'),
      encodeSafetensors({ 'fc.weight': { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } }),
    );
    const preview = await t.client.imports.inspect({ path: dir });
    expect(preview.runs).toEqual([]);
    expect(preview.files.map((f) => f.step)).toEqual([5]);
    expect(preview.skipped).toContainEqual({
      name: 'runs/Dec06_12-00-00_host',
      reason: expect.stringContaining(`import ${events} itself`),
    });
    const logs = await t.client.imports.inspect({ path: join(dir, 'runs') });
    expect(logs.runs.map((r) => r.name)).toEqual(['Dec06_12-00-00_host']);
  });

  it('a run folder started without any inspection is read then, and a folder of several runs is refused', async () => {
    t = testApp();
    const project = await t.client.projects.create({ name: 'P' });
    const run = await t.client.imports.start({ projectId: project.id, path: join(LOGS, 'mlflow', 'mlruns', '1', 'ffeeddccbbaa') });
    expect(run.name).toBe('calm-fox-3');
    await expect(t.client.imports.start({ projectId: project.id, path: join(LOGS, 'mlflow', 'mlruns') })).rejects.toThrow(
      /holds 2 log runs; import each by its folder/,
    );
    await t.app.ctx.jobs.idle();
    expect((await t.client.runs.get({ id: run.id })).status).toBe('imported');
  });

  it('a lone event file is pointed to its folder', async () => {
    t = testApp();
    const dir = join(LOGS, 'tensorboard', 'runs', 'lr0.1');
    const file = join(dir, readdirSync(dir)[0]);
    await expect(t.client.imports.inspect({ path: file })).rejects.toThrow(`import its folder (${dir})`);
  });
});
