import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchScript, EXIT_NO_POINT } from './batch-script';
import { expandGrid, parseGrid } from './grid';
import type { SweepManifest } from './manifest';

/** The script run by bash as Slurm would (array env vars set), with a stand-in plateau that prints its argv. */
const dir = mkdtempSync(join(tmpdir(), "plateau script 'dir' "));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fake = join(dir, 'fake-plateau.mjs');
writeFileSync(
  fake,
  "process.stdout.write(JSON.stringify({ type: 'argv', argv: process.argv.slice(2) }) + '\\n'); process.exit(process.argv.includes('--seed') ? 0 : 9);\n",
);

const canary = join(dir, 'pwned');
const manifest: SweepManifest = {
  format: 'plateau-sweep',
  formatVersion: 1,
  plateauVersion: '0.1.0',
  id: 's',
  preset: 'grokking-mlp',
  createdAt: 0,
  points: expandGrid(parseGrid([`optimizer.lr=1; touch ${canary},$(touch ${canary}),it's`, 'dataset.p=11']), [0]),
  slurm: {},
  node: process.execPath,
  plateau: fake,
};
const script = join(dir, 'sweep.sbatch');
writeFileSync(script, batchScript(manifest, dir));
const runTask = (index: number) =>
  spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { ...process.env, SLURM_ARRAY_TASK_ID: String(index), SLURM_ARRAY_JOB_ID: '77', SLURM_JOB_ID: '78' },
  });

describe('job-array script', () => {
  it('is valid bash', () => {
    execFileSync('bash', ['-n', script]);
  });

  it.each([0, 1, 2])('passes grid point %i to plateau train as data, never as shell syntax', (i) => {
    const r = runTask(i);
    expect(r.status).toBe(0);
    const task = join(dir, 'tasks', String(i), '77');
    const argv = JSON.parse(readFileSync(join(task, 'progress.jsonl'), 'utf8')).argv as string[];
    expect(argv).toEqual([
      '--json',
      '--data-dir',
      join(task, 'data'),
      'train',
      '--preset',
      'grokking-mlp',
      '--project',
      'sweep',
      '--set',
      `optimizer.lr=${manifest.points[i].set['optimizer.lr']}`,
      '--set',
      'dataset.p=11',
      '--seed',
      '0',
    ]);
    expect(readFileSync(join(task, 'exit_code'), 'utf8')).toBe('0\n');
    expect(readFileSync(join(task, 'task.env'), 'utf8')).toMatch(/^node=.+\ncluster=\njob=78\nindex=\d\n/);
    expect(spawnSync('test', ['-e', canary]).status).not.toBe(0);
  });

  it('refuses an index outside the grid', () => {
    const r = runTask(9);
    expect(r.status).toBe(EXIT_NO_POINT);
    expect(r.stderr).toMatch(/no grid point 9/);
  });
});
