import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { GlobalOptions } from '../cli/output';
import { sweepCommand } from '../cli/sweep-command';

/** `plateau sweep` in-process, as program.ts will register it; stdout is captured line by line. */
const dirs: string[] = [];
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.restoreAllMocks());

async function plateau(dataDir: string, ...args: string[]): Promise<unknown[]> {
  const program = new Command('plateau').option('--json').option('--data-dir <dir>').exitOverride();
  sweepCommand(program, () => program.opts<GlobalOptions>());
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true));
  try {
    await program.parseAsync(['node', 'plateau', '--json', '--data-dir', dataDir, ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return lines
    .join('')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const hasSlurm =
  !spawnSync('sbatch', ['--version']).error &&
  /idle|mixed|allocated/.test(spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' }).stdout ?? '');

describe('plateau sweep', () => {
  it('runs a grid x seeds locally through the job queue', async () => {
    const [out] = await plateau(
      temp('plateau-sweep-cli-'),
      'sweep',
      '--preset',
      'grokking-mlp',
      '--grid',
      'dataset.p=11',
      '--grid',
      'model.width=8,12',
      '--grid',
      'epochs=3',
      '--seeds',
      '0-1',
      '--name',
      'w',
    );
    const runs = out as { name: string; status: string; seed: number }[];
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(runs.map((r) => `${r.name}|${r.seed}`).sort()).toEqual([
      'w dataset.p=11 model.width=12 epochs=3 s0|0',
      'w dataset.p=11 model.width=12 epochs=3 s1|1',
      'w dataset.p=11 model.width=8 epochs=3 s0|0',
      'w dataset.p=11 model.width=8 epochs=3 s1|1',
    ]);
  });

  it('follows a local sweep outside the default project with status, collect, cancel and resubmit; --epochs sets every run', async () => {
    const d = temp('plateau-sweep-cli-');
    const [out] = await plateau(
      d,
      'sweep',
      '--project',
      'other',
      '--preset',
      'grokking-mlp',
      '--grid',
      'dataset.p=11',
      '--grid',
      'model.width=8',
      '--epochs',
      '2',
      '--seeds',
      '0-1',
      '--name',
      'loc',
    );
    const runs = out as { run_id: number; status: string }[];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    // --project after the subcommand name reaches it (the parent's option used to take it, leaving 'default')
    const [status] = (await plateau(d, 'sweep', 'status', '--project', 'other')) as {
      sweep: string;
      kind: string;
      tasks: { index: number; state: string; collectedRunId: number; progress: { epoch: number } }[];
    }[];
    expect(status).toMatchObject({ sweep: 'loc', kind: 'local' });
    expect(status.tasks.map((t) => [t.index, t.state, t.collectedRunId, t.progress.epoch])).toEqual([
      [0, 'completed', runs[0].run_id, 2],
      [1, 'completed', runs[1].run_id, 2],
    ]);
    expect((await plateau(d, 'sweep', '--project', 'other', 'status'))[0]).toMatchObject({ sweep: 'loc' }); // before the subcommand too
    expect((await plateau(d, 'sweep', 'collect', '--project', 'other'))[0]).toMatchObject({ added: [], already: [0, 1], skipped: [] });
    expect((await plateau(d, 'sweep', 'cancel', '--project', 'other'))[0]).toMatchObject({ cancelled: [] });
    await expect(plateau(d, 'sweep', 'resubmit', '--project', 'other')).rejects.toThrow(/no failed or cancelled points/);
    await expect(plateau(d, 'sweep', 'status')).rejects.toThrow(/No project 'default'/);

    // a point whose run fails (no such data folder) runs again as a new run, recorded in the sweep
    await plateau(
      d,
      'sweep',
      '--project',
      'other',
      '--preset',
      'fashion-mnist-mlp',
      '--grid',
      `dataset.dir=${join(d, 'missing')}`,
      '--name',
      'bad',
    ).catch(() => {});
    const failed = (
      (await plateau(d, 'sweep', 'status', '--project', 'other', '--sweep', 'bad'))[0] as {
        tasks: { state: string; collectedRunId: number }[];
      }
    ).tasks;
    expect(failed.map((t) => t.state)).toEqual(['failed']);
    await plateau(d, 'sweep', 'resubmit', '--project', 'other', '--sweep', 'bad');
    const again = (
      (await plateau(d, 'sweep', 'status', '--project', 'other', '--sweep', 'bad'))[0] as {
        tasks: { state: string; collectedRunId: number }[];
      }
    ).tasks;
    expect(again[0].collectedRunId).toBeGreaterThan(failed[0].collectedRunId);
  });

  it('refuses an unknown setting, --epochs twice and a non-number --epochs before anything runs', async () => {
    const d = temp('plateau-sweep-cli-');
    await expect(
      plateau(d, 'sweep', '--preset', 'grokking-mlp', '--grid', 'model.width=8', '--grid', 'optimizer.learning_rate=1e-3,1e-2'),
    ).rejects.toThrow("optimizer.learning_rate is not a setting of optimizer kind 'adamw'. Did you mean optimizer.lr?");
    await expect(plateau(d, 'sweep', '--preset', 'grokking-mlp', '--epochs', '3', '--grid', 'epochs=2')).rejects.toThrow(
      /--epochs or --grid epochs/,
    );
    await expect(plateau(d, 'sweep', '--preset', 'grokking-mlp', '--epochs', 'ten')).rejects.toThrow(/not a whole number/);
    await expect(plateau(d, 'sweep', 'status')).rejects.toThrow(/no sweeps yet/); // nothing was recorded
  });

  it('names what is missing', async () => {
    const d = temp('plateau-sweep-cli-');
    await expect(plateau(d, 'sweep', '--preset', 'grokking-mlp', '--slurm')).rejects.toThrow(/--slurm needs --shared-dir/);
    await expect(plateau(d, 'sweep', '--grid', 'a=1')).rejects.toThrow(/--preset is required/);
    await expect(plateau(d, 'sweep', 'status')).rejects.toThrow(/no sweeps yet/);
    await expect(
      plateau(d, 'sweep', '--preset', 'grokking-mlp', '--slurm', '--shared-dir', d, '--ssh', '-oProxyCommand=x'),
    ).rejects.toThrow(/not user@host/);
  });

  it.skipIf(!hasSlurm)('submits to Slurm, follows status and collects (skipped without a running Slurm)', async () => {
    const d = temp('plateau-sweep-cli-');
    const [sub] = await plateau(
      d,
      'sweep',
      '--preset',
      'grokking-mlp',
      '--grid',
      'epochs=2,3',
      '--grid',
      'dataset.p=11',
      '--grid',
      'model.width=8',
      '--slurm',
      '--shared-dir',
      temp('plateau-sweep-shared-'),
      '--time',
      '00:05:00',
      '--name',
      'cli',
    );
    expect(sub).toMatchObject({ sweep: 'cli', job_id: expect.stringMatching(/^\d+$/), tasks: 2 });
    let tasks: { state: string }[] = [];
    for (let i = 0; i < 120 && !(tasks.length && tasks.every((t) => t.state === 'completed')); i++) {
      await new Promise((r) => setTimeout(r, 500));
      tasks = ((await plateau(d, 'sweep', 'status'))[0] as { tasks: { state: string }[] }).tasks;
    }
    expect(tasks.map((t) => t.state)).toEqual(['completed', 'completed']);
    expect((await plateau(d, 'sweep', 'collect', '--sweep', 'cli'))[0]).toMatchObject({ added: [{ index: 0 }, { index: 1 }] });
    expect((await plateau(d, 'sweep', 'collect'))[0]).toMatchObject({ added: [], already: [0, 1] });
  });
});
