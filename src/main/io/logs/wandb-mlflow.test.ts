// W&B exports and MLflow's file store, written by test/fixtures/logs/make_log_fixtures.py (PyYAML for the
// YAML, Python's json and csv for the rest), import with every value and setting as the generator wrote it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLogRuns, readLogRuns } from './log-folder';
import type { LogRun } from './log-run';
import { parseYaml } from './simple-yaml';

const FIXTURES = join(__dirname, '../../../../test/fixtures/logs');
type Expected = { tags: Record<string, [number, number][]>; settings: Record<string, unknown>; meta?: Record<string, unknown> };
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Record<string, Expected>>;
const tmp = mkdtempSync(join(tmpdir(), 'plateau-logs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const pointsOf = (run: LogRun) => Object.fromEntries(run.series.map((s) => [s.tag, Array.from(s.steps, (step, i) => [step, s.values[i]])]));

function expectRun(run: LogRun, want: Expected) {
  expect(pointsOf(run)).toEqual(want.tags); // values exactly: both sides parse the same decimal text
  expect(run.settings).toEqual(want.settings);
}

describe('W&B export import', () => {
  it('reads a run folder (JSON lines, config.yaml) and an API export (CSV, config.json): every value, every setting', async () => {
    const found = await findLogRuns(join(FIXTURES, 'wandb'));
    expect(found.map((f) => f.format.id)).toEqual(['wandb', 'wandb']);
    const runs = await readLogRuns(found);
    expect(runs.map((r) => r.name).sort()).toEqual(Object.keys(expected.wandb).sort());
    for (const run of runs) expectRun(run, expected.wandb[run.name]);
  });

  it('says what it left out: a bare NaN, a histogram object; keeps the summary beside the config', async () => {
    const runs = await readLogRuns(await findLogRuns(join(FIXTURES, 'wandb')));
    const folder = runs.find((r) => r.name.startsWith('run-'))!;
    expect(folder.skipped.map((s) => s.name)).toEqual(['weights (histogram)', '(null values)']);
    expect(folder.meta['summary.loss']).toBe(expected.wandb[folder.name].tags.loss.at(-1)![1]);
  });

  it('refuses a history line that is not JSON, or has no _step, naming the file and line', async () => {
    const dir = join(tmp, 'bad-wandb');
    mkdirSync(dir);
    writeFileSync(join(dir, 'wandb-history.jsonl'), '{"_step": 0, "loss": 1}\n{"loss": 2}\n');
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(`${join(dir, 'wandb-history.jsonl')}: line 2 has no integer _step`);
    writeFileSync(join(dir, 'wandb-history.jsonl'), '{"_step": 0, "loss": 1}\n{"_step": 1, "loss\n');
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(`${join(dir, 'wandb-history.jsonl')}: line 2 is not JSON`);
  });
});

describe('MLflow file store import', () => {
  it('reads each run of mlruns/: metrics (nested keys, a step logged twice), params as settings, names from meta.yaml', async () => {
    const found = await findLogRuns(join(FIXTURES, 'mlflow', 'mlruns'));
    expect(found.map((f) => [f.name, f.format.id])).toEqual([
      ['1/0a1b2c3d4e5f', 'mlflow'],
      ['1/ffeeddccbbaa', 'mlflow'],
    ]);
    const runs = await readLogRuns(found);
    expect(runs.map((r) => r.name).sort()).toEqual(Object.keys(expected.mlflow).sort());
    for (const run of runs) {
      expectRun(run, expected.mlflow[run.name]);
      expect(run.meta).toMatchObject(expected.mlflow[run.name].meta!);
      expect(run.skipped).toEqual([{ name: 'val/acc', reason: '1 NaN or infinite value(s) left out' }]);
    }
  });

  it('refuses a metrics line that is not `timestamp value step`, naming the file and line', async () => {
    const dir = join(tmp, 'mlruns', '0', 'r1');
    mkdirSync(join(dir, 'metrics'), { recursive: true });
    writeFileSync(join(dir, 'meta.yaml'), 'run_id: r1\nrun_name: x\n');
    writeFileSync(join(dir, 'metrics', 'loss'), '1 0.5 0\n2 zero 1\n');
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(
      `${join(dir, 'metrics', 'loss')}: line 2 is not 'timestamp value step'`,
    );
  });
});

describe('the YAML subset of config.yaml and meta.yaml', () => {
  it('reads what PyYAML writes, and refuses what it does not take by line', () => {
    const text = readFileSync(join(FIXTURES, 'wandb', 'run-20240101_120000-abc123', 'files', 'config.yaml'), 'utf8');
    expect(parseYaml(text, 'config.yaml')).toMatchObject({
      wandb_version: 1,
      lr: { desc: null, value: 0.001 },
      model: { desc: null, value: { depth: 4, act: 'gelu' } },
      nesterov: { value: true },
    });
    expect(parseYaml("a: 'it''s'\nb:\n- 1\n- x: 2\n  y: [3, 4]\nc: |\n  two\n  lines\nd: ~\n", 'f')).toEqual({
      a: "it's",
      b: [1, { x: 2, y: [3, 4] }],
      c: 'two\nlines',
      d: null,
    });
    expect(() => parseYaml('a: &anchor 1\n', 'f.yaml')).toThrow('f.yaml: line 1 uses YAML');
    expect(() => parseYaml('a: 1\n  b: 2\n', 'f.yaml')).toThrow('f.yaml: line 2');
  });
});
