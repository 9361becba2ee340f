import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The built `plateau` command, run as a user would (npm test builds before it runs these). */
const root = resolve(__dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const plateau = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--data-dir', dataDir, ...args], { encoding: 'utf8' });
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
    const info = JSON.parse(execFileSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, 'info'], { encoding: 'utf8' }));
    expect(info).toMatchObject({ schemaVersion: 2, dataDir, host: "cli" });
    expect(info.backends.available).toContain('cpu');
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

  it('a bad dump exits non-zero with the reason on stderr', () => {
    const r = plateau('metrics', '--features', join(root, 'package.json'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/package.json is not a feature dump/);
    const missing = plateau('metrics', '--features', '/nonexistent/dump.npz');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/dump.npz/);
  });
});
