import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { applyOverrides, parseSetting } from '../../shared/domain/config-overrides';
import { PRESETS } from '../../shared/domain/presets';
import type { TrainConfig } from '../../shared/domain/train-config';
import { parseTrainConfig } from '../ml/validate-config';
import { checkpointSteps } from '../ml/checkpoint-schedule';
import { databaseFile } from '../app/paths';
import { BENCH_THREADS, type BenchCase } from './bench-case';
import { cliPath, onJsonLines } from './train-cli';
import { torchNcRun } from './nc-torch-reference';
import { describeTerminalPhase, terminalPhase, type EpochPoint, type Nc1Point, type TerminalPhase } from './terminal-phase';

export const NC_PRESET = 'nc-fashion-mnist';

/**
 * NC1 (train split) at every checkpoint of a run, read from the data dir's database after the CLI exits; the
 * epoch is step / stepsPerEpoch, so a checkpoint inside an epoch is fractional (terminalPhase skips it).
 */
export function readNc1(dataDir: string, runId: number, stepsPerEpoch: number): Nc1Point[] {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) throw new Error(`${file}: no database (the run never started?)`);
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT step, value FROM metrics WHERE run_id = ? AND key = 'nc1' AND split = 'train' AND checkpoint_id IS NOT NULL ORDER BY step`,
      )
      .all(runId) as { step: number; value: number }[];
    return rows.map((r) => ({ epoch: r.step / stepsPerEpoch, nc1: r.value }));
  } finally {
    db.close();
  }
}

export interface CliNcRun {
  runId: number;
  status: string;
  seconds: number;
  epochs: EpochPoint[];
  nc1: Nc1Point[];
}

/**
 * `plateau train --preset nc-fashion-mnist` as a user runs it (job system, worker, live checkpoint metrics,
 * SQLite), each epoch's line timed as it arrives; then NC1 per checkpoint from the run's database.
 */
export function plateauNcRun(args: string[], dataDir: string, stepsPerEpoch: number): Promise<CliNcRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [cliPath(), '--data-dir', dataDir, 'train', '--preset', NC_PRESET, '--json', ...args], {
    env: { ...process.env, PLATEAU_JOBS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const epochs: EpochPoint[] = [];
  let summary: { run_id?: number; status?: string; error?: string } = {};
  let stderr = '';
  onJsonLines<{ type?: string; epoch?: number; train_acc?: number; run_id?: number; status?: string }>(child.stdout, (m) => {
    if (m.type === 'progress') epochs.push({ epoch: m.epoch!, trainAcc: m.train_acc!, seconds: (performance.now() - started) / 1000 });
    if (m.type === 'summary') summary = m;
  });
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (summary.run_id === undefined)
        return reject(new Error(`plateau train exited ${code} without a summary: ${stderr.trim().slice(-500)}`));
      resolve({ runId: summary.run_id, status: summary.status!, seconds, epochs, nc1: readNc1(dataDir, summary.run_id, stepsPerEpoch) });
    }),
  );
}

/** Updates per epoch of a config on Fashion-MNIST's 60k training images (or its trainSize), and its checkpoints at epoch ends. */
export function ncSchedule(config: TrainConfig): { stepsPerEpoch: number; checkpointEpochs: number[] } {
  const n = Math.min(60_000, (config.dataset.kind === 'idx' && config.dataset.trainSize) || 60_000);
  const stepsPerEpoch = config.batchSize === 'full' ? 1 : Math.ceil(n / config.batchSize);
  const checkpointEpochs = checkpointSteps(config.checkpoints, config.epochs * stepsPerEpoch, stepsPerEpoch)
    .filter((s) => s > 0 && s % stepsPerEpoch === 0)
    .map((s) => s / stepsPerEpoch);
  return { stepsPerEpoch, checkpointEpochs };
}

const figures = (t: TerminalPhase, prefix = '') => ({
  [`${prefix}zero_error_epoch`]: t.zeroErrorEpoch ?? 'never',
  [`${prefix}nc1_start`]: t.start ? Number(t.start.nc1.toPrecision(4)) : 'n/a',
  [`${prefix}nc1_end`]: t.end ? Number(t.end.nc1.toPrecision(4)) : 'n/a',
  [`${prefix}nc1_decades`]: t.decades === null ? 'n/a' : Number(t.decades.toFixed(2)),
  [`${prefix}criterion_s`]: t.criterion ? Number(t.criterion.seconds.toFixed(1)) : 'not reached',
});

/**
 * Issue 14's neural-collapse case: the preset end to end through the built CLI, then the same recipe in
 * PyTorch. The headline is the wall time to the terminal-phase criterion (train error 0, then NC1 down a
 * decade from the first checkpoint at zero error); when it is not reached the figures say how far it got.
 */
export const ncFashionMnistBench: BenchCase = {
  name: 'plateau_train_nc_fashion_mnist',
  unit: 's',
  target: 'train error 0, then NC1 down >= 1 decade, in < 20 min wall on 2 cores (PyTorch: same recipe)',
  async run(log) {
    // PLATEAU_BENCH_NC_SET="dataset.trainSize=6000 epochs=40": the same path on a cut-down recipe, both sides
    const set = (process.env.PLATEAU_BENCH_NC_SET ?? '').split(/\s+/).filter(Boolean);
    const config = parseTrainConfig(applyOverrides(PRESETS[NC_PRESET].config, Object.fromEntries(set.map(parseSetting))));
    if (set.length) log(`overrides (PLATEAU_BENCH_NC_SET): ${set.join(' ')}`);
    const { stepsPerEpoch, checkpointEpochs } = ncSchedule(config);
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-nc-'));
    let ours: CliNcRun;
    try {
      ours = await plateauNcRun(['--seed', '0', ...set.flatMap((s) => ['--set', s])], dir, stepsPerEpoch);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const last = ours.epochs.at(-1)?.epoch ?? 0;
    const t = terminalPhase(ours.epochs, ours.nc1);
    log(
      `plateau train --preset ${NC_PRESET}: ${ours.status}, ${last} epochs, ${ours.nc1.length} NC1 checkpoints in ${ours.seconds.toFixed(0)} s`,
    );
    log(`  ${describeTerminalPhase(t, last)}`);
    const torch = torchNcRun(config, checkpointEpochs, BENCH_THREADS, log);
    let torchFigures = {};
    if (torch) {
      const tt = terminalPhase(torch.epochs, torch.nc1);
      log(`PyTorch (${BENCH_THREADS} threads), same recipe: ${torch.seconds.toFixed(0)} s; ${describeTerminalPhase(tt, config.epochs)}`);
      torchFigures = {
        torch_s: Number(torch.seconds.toFixed(1)),
        ...figures(tt, 'torch_'),
        ratio_vs_torch: Number((ours.seconds / torch.seconds).toFixed(3)),
      };
    }
    return {
      value: Number((t.criterion?.seconds ?? ours.seconds).toFixed(1)),
      extra: {
        reached: t.criterion ? 'terminal phase' : 'NOT reached',
        wall_s: Number(ours.seconds.toFixed(1)),
        epochs: last,
        ...figures(t),
        ...torchFigures,
      },
    };
  },
};

export default ncFashionMnistBench;
