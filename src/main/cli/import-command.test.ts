import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The built `plateau` command (npx electron-vite build first), run as a user would. */
const root = resolve(__dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-cli-import-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const plateau = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--data-dir', dataDir, ...args], { encoding: 'utf8' });
const SERIES = join(root, 'test/fixtures/hf/series');

describe('plateau import of a Hugging Face series', () => {
  it('imports one checkpoint per step with a progress bar on stderr (none under --json)', () => {
    const r = plateau('import', SERIES, '--project', 'LM');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("(folder) as run 1 in 'LM': 3 checkpoint(s), 28 tensors.");
    // not a terminal: the bar's last line only, at 100 %, with the bytes read
    expect(r.stderr).toMatch(/^import series % \[#{24}\] 100\/100 {2}checkpoint 3\/3, 0\.\d\d of 0\.\d\d MiB/m);
    const json = plateau('--json', 'import', SERIES, '--project', 'LM');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ checkpoints: 3, files: [{ step: 10 }, { step: 20 }, { step: 30 }] });
    expect(json.stderr).toBe('');
  });

  it('refuses a series with two checkpoints for one step, naming them, and creates no run', () => {
    const bad = join(dataDir, 'bad-series');
    cpSync(SERIES, bad, { recursive: true });
    cpSync(join(bad, 'checkpoint-20'), join(bad, 'step20'), { recursive: true });
    const r = plateau('import', bad, '--project', 'Bad');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${bad}: two checkpoints for step 20: checkpoint-20 and step20`);
    const projects = JSON.parse(plateau('--json', 'projects', 'list').stdout) as { name: string; runCount: number }[];
    expect(projects.find((p) => p.name === 'Bad')?.runCount ?? 0).toBe(0);
  });
});
