// `plateau import` of training logs and `plateau info`'s format line, run as a user runs them (the built CLI).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-cli-logs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const plateau = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--data-dir', dataDir, ...args], { encoding: 'utf8' });
const RUNS = join(root, 'test/fixtures/logs/tensorboard/runs');

describe('plateau import of training logs', () => {
  it('imports a TensorBoard runs/ folder as one run per sub-folder and says what each holds', () => {
    const r = plateau('--json', 'import', RUNS, '--project', 'tb');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      format: string;
      runs: { name: string; points: number; series: { key: string; tag: string }[] }[];
    };
    expect(out.format).toBe('tensorboard');
    const expected = JSON.parse(readFileSync(join(root, 'test/fixtures/logs/expected.json'), 'utf8')).tensorboard as Record<
      string,
      { tags: Record<string, unknown[]> }
    >;
    expect(out.runs.map((x) => [x.name, x.points])).toEqual(
      Object.entries(expected).map(([name, e]) => [name, Object.values(e.tags).reduce((n, p) => n + p.length, 0)]),
    );
    const text = plateau('import', RUNS, '--project', 'tb-text');
    expect(text.stdout).toMatch(/as 2 run\(s\) in 'tb-text'/);
    expect(text.stdout).toMatch(/val_loss_ema\s+val loss \(ema\)/);
  });

  it('refuses a folder with a bad CRC, naming the file and record, and imports none of it', () => {
    const dir = join(dataDir, 'bad', 'run');
    mkdirSync(dir, { recursive: true });
    const name = readdirSync(join(RUNS, 'lr0.1'))[0];
    copyFileSync(join(RUNS, 'lr0.1', name), join(dir, name));
    const bytes = readFileSync(join(dir, name));
    bytes[bytes.length - 10] ^= 0xff; // inside the last record's data
    writeFileSync(join(dir, name), bytes);
    const r = plateau('import', join(dataDir, 'bad'), '--project', 'bad');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`${join(dir, name).replace(/[.]/g, '\\.')}: record \\d+ \\(byte \\d+\\): the data CRC does not match`),
    );
    expect(JSON.parse(plateau('--json', 'projects', 'list').stdout).find((p: { name: string }) => p.name === 'bad')?.runCount ?? 0).toBe(0);
  });

  it('plateau info lists the log formats from the registry', () => {
    const r = plateau('info');
    expect(r.stdout).toMatch(/import\s+.*tensorboard, wandb \(\.jsonl \.csv\), mlflow/);
  });
});
