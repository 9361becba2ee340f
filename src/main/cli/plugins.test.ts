// Issue "Extension points", done when: a toy metric, model family, dataset and import format, each in one new
// file (src/main/test/toy-*.mjs) registered on one line (PLATEAU_PLUGINS), are listed by `plateau info --json`,
// trainable by `plateau train`, computed by a metrics job and importable by `plateau import` — the built CLI,
// its workers included. Values are checked against float64 recomputations from the checkpoint files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../io/checkpoint-file';
import type { Dataset } from '../ml/data/dataset';
import { createRng } from '../ml/data/prng';

const root = resolve(__dirname, '../../..');
const toy = (name: string) => join(root, 'src/main/test', name);
const PLUGINS = ['toy-model.mjs', 'toy-dataset.mjs', 'toy-format.mjs', 'toy-metric.mjs'].map(toy).join(delimiter);
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-plugins-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const plateau = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PLATEAU_PLUGINS: PLUGINS },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!);
const checkpoints = (runId: number) => {
  const dir = join(dataDir, 'projects/1/runs', String(runId), 'checkpoints');
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
};

const BLOBS = { classes: 3, dim: 2, trainSize: 120, testSize: 60, spread: 0.5 };

describe('plugins: one file each, listed, trained, measured and imported by the CLI', () => {
  it('are listed by plateau info --json beside the built-ins', () => {
    const info = JSON.parse(plateau('info'));
    expect(info.modelFamilies.map((f: { kind: string }) => f.kind)).toEqual([
      'quadratic-mlp',
      'mlp',
      'cnn',
      'transformer',
      'gpt',
      'toy-linear',
    ]);
    expect(info.modelFamilies.at(-1)).toMatchObject({ label: 'Linear softmax (toy)', schema: { type: 'object' } });
    expect(info.datasets.at(-1)).toMatchObject({ kind: 'toy-blobs', label: 'Blobs on a circle (toy)' });
    expect(info.importFormats.at(-1)).toEqual({ id: 'toy', label: 'Toy text tensors', extensions: ['toy'] });
    expect(info.metrics.at(-1)).toMatchObject({ key: 'toy_weight_l1', producer: 'plugin:toy_weight_l1' });
  });

  it('train a toy family on a toy dataset; the log, the toy metric and kappa equal float64 recomputations', async () => {
    const set = Object.entries(BLOBS).flatMap(([k, v]) => ['--set', `dataset.${k}=${v}`]);
    const args = ['--preset', 'double-descent', '--set', 'model.kind=toy-linear', '--set', 'dataset.kind=toy-blobs', ...set];
    const summary = lastJson(plateau('train', ...args, '--epochs', '15', '--project', 'toys'));
    expect(summary).toMatchObject({ type: 'summary', status: 'succeeded', epochs: 15 });
    const m = JSON.parse(plateau('metrics', '--run', String(summary.run_id), '--checkpoints', 'last', '--keys', 'toy_weight_l1,kappa'));
    const { weights } = await readCheckpoint(checkpoints(summary.run_id).at(-1)!);
    expect(Object.keys(weights).sort()).toEqual(['fc.bias', 'fc.weight']);
    const W = weights['fc.weight'].data;
    const b = weights['fc.bias'].data;
    expect(weights['fc.weight'].shape).toEqual([3, 2]);

    // the toy dataset as the plugin makes it for seed 0, and the model's float64 softmax on it
    const mod = (await import(pathToFileURL(toy('toy-dataset.mjs')).href)) as {
      dataset: { make: (c: unknown, seed: number, lib: unknown) => Dataset };
    };
    const { inputs: x, labels: y, n } = mod.dataset.make({ kind: 'toy-blobs', ...BLOBS }, 0, { createRng }).train;
    let loss = 0;
    let correct = 0;
    let kappa = 0;
    for (let i = 0; i < n; i++) {
      const phi = [x[2 * i], x[2 * i + 1]];
      const z = [0, 1, 2].map((c) => W[2 * c] * phi[0] + W[2 * c + 1] * phi[1] + b[c]);
      const top = Math.max(...z);
      const e = z.map((v) => Math.exp(v - top));
      const p = e.map((v) => v / e.reduce((a, c) => a + c, 0));
      loss -= Math.log(p[y[i]]);
      if (z.indexOf(top) === y[i]) correct++;
      // METRICS.md: kappa = (1/n) sum_i ||phi_i||^2 (sum_c G_cc p_ic - p_i^T G p_i), G = W W^T
      const G = (c: number, d: number) => W[2 * c] * W[2 * d] + W[2 * c + 1] * W[2 * d + 1];
      let quad = 0;
      for (let c = 0; c < 3; c++) for (let d = 0; d < 3; d++) quad += p[c] * G(c, d) * p[d];
      kappa += (phi[0] ** 2 + phi[1] ** 2) * ([0, 1, 2].reduce((a, c) => a + G(c, c) * p[c], 0) - quad);
    }
    expect(summary.train_loss).toBeCloseTo(loss / n, 5);
    expect(summary.train_acc).toBe(correct / n);
    expect(summary.train_acc).toBeGreaterThan(0.9); // separable blobs: softmax regression learns them
    const [last] = m.checkpoints;
    expect(last.train.kappa).toBeCloseTo(kappa / n, 6);
    const l1 = [...W, ...b].reduce((a, v) => a + Math.abs(v), 0);
    expect(last.none.toy_weight_l1).toBeCloseTo(l1, 5);
  });

  it('import a file of the toy format as a run holding its tensors (its metrics: io/formats/toy-format.test.ts)', async () => {
    const file = join(dataDir, 'weights.txt'); // sniffed by its magic, whatever the name
    writeFileSync(file, 'TOY1\nfc.weight 2x3 1 2 3 4 5 6\nfc.bias 2 1 -1\n');
    const r = JSON.parse(plateau('import', file, '--project', 'toys'));
    expect(r).toMatchObject({ format: 'toy', checkpoints: 1 });
    const { weights } = await readCheckpoint(checkpoints(r.run_id)[0]);
    expect(Array.from(weights['fc.weight'].data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(weights['fc.bias'].data)).toEqual([1, -1]);
  });

  it('a broken plugin stops the command with its file and problem named', () => {
    const bad = join(dataDir, 'bad-model.mjs');
    writeFileSync(
      bad,
      "export const modelFamily = { kind: 'bad', label: 'Bad', schema: (z) => z.strictObject({ kind: z.literal('bad') }) };",
    );
    const r = spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--data-dir', dataDir, 'info'], {
      encoding: 'utf8',
      env: { ...process.env, PLATEAU_PLUGINS: bad },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`plugin ${bad}: modelFamily needs a 'build' function`);
  });
});
