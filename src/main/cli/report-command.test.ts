import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { createApp } from '../app/create-app';
import { seedReportFixture } from '../reports/report-fixture';
import type { GlobalOptions } from './output';
import { parseRunIds, reportCommand } from './report-command';

/** The command registered on a bare program (program.ts wires it for real), run in-process on a seeded data folder. */
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-report-cli-'));
let runIds: number[] = [];
beforeAll(async () => {
  const app = createApp({ dataDir, host: 'cli', concurrency: 1 });
  runIds = seedReportFixture(app).runs.map((r) => r.id);
  await app.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function plateau(...args: string[]): Promise<string> {
  const program = new Command('plateau').option('--json').option('--data-dir <dir>').exitOverride();
  reportCommand(program, () => program.opts<GlobalOptions>());
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  try {
    await program.parseAsync(['--data-dir', dataDir, ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('plateau report', () => {
  it('writes the default formats for a project named on the command line and lists them as JSON', async () => {
    const out = join(dataDir, 'out-project');
    const r = JSON.parse(await plateau('--json', 'report', '--project', 'grok & flat_100%', '--out', out));
    expect(r.title).toBe('Plateau report: Grok & flat_100%');
    expect(r.runs).toEqual(runIds);
    expect(r.files).toEqual(['report.html', 'runs.csv', 'metrics.csv', 'groups.csv', 'manifest.json'].map((f) => join(out, f)));
    expect(r.notes.some((n: string) => n.includes('no_metrics'))).toBe(true);
    expect(readFileSync(join(out, 'runs.csv'), 'utf8').split('\r\n')[0]).toMatch(/^run,name,status/);
  });

  it('takes --runs and --formats, and prints the files for people', async () => {
    const out = join(dataDir, 'out-runs');
    const text = await plateau('report', '--runs', `${runIds[0]}, ${runIds[1]}`, '--out', out, '--formats', 'tex,svg');
    expect(text).toMatch(new RegExp(`runs ${runIds[0]}, ${runIds[1]} of Grok & flat_100%: 2 run\\(s\\), 7 file\\(s\\)`));
    expect(text).toContain(join(out, 'final-metrics.tex'));
    expect(text).toContain(join(out, 'kappa-vs-gap.svg'));
  });

  it('refuses a missing selection, bad ids and unknown formats with InvalidParams', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e) => (e instanceof PlateauError ? e.code : String(e)),
      );
    expect(await code(plateau('report', '--out', join(dataDir, 'x')))).toBe('InvalidParams');
    expect(await code(plateau('report', '--runs', '1,x', '--out', join(dataDir, 'x')))).toBe('InvalidParams');
    expect(await code(plateau('report', '--runs', '1', '--out', join(dataDir, 'x'), '--formats', 'docx'))).toBe('InvalidParams');
    expect(await code(plateau('report', '--project', 'nope', '--out', join(dataDir, 'x')))).toBe('NotFound');
    expect(parseRunIds('3, 1,2')).toEqual([3, 1, 2]);
  });
});
