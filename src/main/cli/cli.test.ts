import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The built `plateau` command, run as a user would (npm test builds before it runs these). */
const root = resolve(__dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const plateau = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--data-dir', dataDir, ...args], { encoding: 'utf8' });
const fixture = (name: string) => join(root, 'test/fixtures/metrics', name);

describe('plateau CLI', () => {
  it('lists its commands', () => {
    const r = plateau('--help');
    expect(r.status).toBe(0);
    for (const c of ['serve', 'info', 'projects', 'metrics']) expect(r.stdout).toContain(c);
  });

  it('manages projects, with JSON only under --json', () => {
    const made = plateau('--json', 'projects', 'create', 'Sweep A');
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ name: 'Sweep A', runCount: 0 });
    const dup = plateau('--json', 'projects', 'create', 'sweep a');
    expect(dup.status).toBe(1);
    expect(dup.stdout).toBe('');
    expect(JSON.parse(dup.stderr).error).toMatchObject({ code: 'Conflict' });
    expect(JSON.parse(plateau('--json', 'projects', 'list').stdout)).toHaveLength(1);
    expect(plateau('projects', 'remove', 'Sweep A').stdout).toContain("Removed project 1 'Sweep A'");
  });

  it('info reports the schema and backends', () => {
    const info = JSON.parse(
      execFileSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, 'info'], { encoding: 'utf8' }),
    );
    expect(info).toMatchObject({ schemaVersion: 5, dataDir, host: 'cli' });
    expect(info.backends.available).toContain('cpu');
    expect(info.importFormats.map((f: { id: string }) => f.id)).toEqual([
      'feature-dump',
      'safetensors',
      'torch',
      'npy',
      'npz',
      'tfjs',
      'lm-dump-set',
      'tensorboard',
      'wandb',
      'mlflow',
    ]);
    expect(info.importFormats.find((f: { id: string }) => f.id === 'safetensors')).toEqual({
      id: 'safetensors',
      label: 'safetensors',
      extensions: ['safetensors'],
    });
    // the metric registry, as the app lists it
    expect(info.metrics.find((m: { key: string }) => m.key === 'kappa_layer')).toEqual({
      key: 'kappa_layer',
      family: 'flatness',
      producer: 'hessian',
      splits: ['train'],
      parts: 'each',
      run: 'on-request',
    });
    const list = JSON.parse(plateau('--json', 'metrics', '--list').stdout) as { key: string }[];
    expect(list.map((m) => m.key)).toEqual(info.metrics.map((m: { key: string }) => m.key));
    // a plugin named in PLATEAU_METRIC_PLUGINS joins the list
    const env = { ...process.env, PLATEAU_METRIC_PLUGINS: join(root, 'src/main/test/toy-metric.mjs') };
    const withToy = spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, 'metrics', '--list'], {
      encoding: 'utf8',
      env,
    });
    expect(JSON.parse(withToy.stdout).map((m: { key: string }) => m.key)).toEqual([...list.map((m) => m.key), 'toy_weight_l1']);
  });

  it('metrics --features --json reproduces the independent NumPy values of the fixture', () => {
    const r = plateau('--json', 'metrics', '--features', fixture('mixture_c10.npz'));
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    const want = JSON.parse(readFileSync(fixture('mixture_c10.expected.json'), 'utf8'));
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
    for (const [k, v] of Object.entries(want)) {
      if (k === 'test') continue;
      expect(close(got[k], v as number), `${k}: ${got[k]} vs ${v}`).toBe(true);
    }
    for (const [k, v] of Object.entries(want.test as Record<string, number>)) expect(close(got.test[k], v), `test.${k}`).toBe(true);
  });

  it('metrics --features --collapse-top-k applies the many-classes rule and records it; a bad K is refused by name', () => {
    const r = plateau('--json', 'metrics', '--features', fixture('mixture_c10.npz'), '--keys', 'nc1,nc4', '--collapse-top-k', '4');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.collapse).toEqual({
      collapse_top_k: 4,
      classes_present: 10,
      samples_used: expect.any(Number),
      'test.classes_present': 10,
      'test.samples_used': expect.any(Number),
    });
    expect(got.nc1).not.toBeCloseTo(JSON.parse(readFileSync(fixture('mixture_c10.expected.json'), 'utf8')).nc1, 3);
    const bad = plateau('metrics', '--features', fixture('mixture_c10.npz'), '--collapse-top-k', '1');
    expect(bad.stderr).toMatch(/--collapse-top-k must be an integer >= 2/);
  });

  it('train --json streams one line per epoch and a summary; metrics --run prints the checkpoint values', () => {
    const r = plateau(
      '--json',
      'train',
      '--preset',
      'grokking-mlp',
      '--epochs',
      '6',
      '--set',
      'dataset.p=11',
      '--set',
      'model.width=8',
      '--project',
      'cli',
    );
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'progress').map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const summary = lines.at(-1);
    expect(summary).toMatchObject({ type: 'summary', status: 'succeeded', backend: 'wasm', epochs: 6 });
    expect(summary.train_acc).toBe(lines.at(-2).train_acc);
    const m = plateau(
      '--json',
      'metrics',
      '--run',
      String(summary.run_id),
      '--checkpoints',
      'last',
      '--keys',
      'kappa,flatness_bound,train_acc',
    );
    expect(m.status).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out.checkpoints).toHaveLength(1);
    const { step, train } = out.checkpoints[0];
    expect(step).toBe(6);
    expect(train.kappa).toBeLessThanOrEqual(train.flatness_bound);
    expect(train.train_acc).toBeCloseTo(summary.train_acc, 6); // the training log and the checkpoint features agree
    // the metrics no default set computes, with their options: one value per index and per layer
    const h = plateau(
      '--json',
      'metrics',
      '--run',
      String(summary.run_id),
      '--checkpoints',
      'last',
      '--keys',
      'hessian_top_eigs,kappa_layer,kappa',
      '--k',
      '2',
      '--seed',
      '1',
    );
    expect(h.status).toBe(0);
    const ht = JSON.parse(h.stdout).checkpoints[0].train;
    expect(Object.keys(ht).sort()).toEqual(['hessian_top_eigs[1]', 'hessian_top_eigs[2]', 'kappa', 'kappa_layer[out.weight]']);
    // largest magnitude first (PyHessian's convention: early in training the top one can be negative)
    expect(Math.abs(ht['hessian_top_eigs[1]'])).toBeGreaterThanOrEqual(Math.abs(ht['hessian_top_eigs[2]']) * (1 - 1e-3));
    expect(Math.abs(ht['kappa_layer[out.weight]'] - ht.kappa) / ht.kappa).toBeLessThan(1e-4); // HVP route against the closed form
    expect(plateau('metrics', '--run', String(summary.run_id), '--k', '0').stderr).toMatch(/--k must be an integer >= 1/);
    const bad = plateau('train', '--preset', 'grokking-mlp', '--set', 'optimizer.lr=-1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/optimizer\.lr.*> 0/);
  });

  it('train refuses an unknown setting or preset by name, with the nearest ones, and starts nothing', () => {
    const lr = plateau('train', '--preset', 'grokking-mlp', '--set', 'optimizer.learning_rate=1e-3', '--project', 'typos');
    expect(lr.status).toBe(2);
    expect(lr.stderr).toContain("optimizer.learning_rate is not a setting of optimizer kind 'adamw'. Did you mean optimizer.lr?");
    const width = plateau('train', '--preset', 'grokking-mlp', '--set', 'model.widht=64', '--project', 'typos');
    expect(width.status).toBe(2);
    expect(width.stderr).toContain('Did you mean model.width?');
    const preset = plateau('train', '--preset', 'grokking-mpl', '--project', 'typos');
    expect(preset.status).toBe(2);
    expect(preset.stderr).toContain("There is no preset 'grokking-mpl'. Did you mean 'grokking-mlp'?");
    expect(JSON.parse(plateau('--json', 'projects', 'list').stdout).find((p: { name: string }) => p.name === 'typos').runCount).toBe(0);
  });

  it('a bad dump exits non-zero with the reason on stderr', () => {
    const r = plateau('metrics', '--features', join(root, 'package.json'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/package.json is not a feature dump/);
    const missing = plateau('metrics', '--features', '/nonexistent/dump.npz');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/dump.npz/);
  });
});
