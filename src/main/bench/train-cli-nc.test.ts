import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_FASHION_MNIST_DIR, PRESETS } from '../../shared/domain/presets';
import { parseTrainConfig } from '../ml/validate-config';
import { NC1_PY, torchNcRun } from './nc-torch-reference';
import { PYTHON } from './torch-reference';
import { NC_PRESET, ncSchedule, plateauNcRun } from './train-cli-nc';

const has = (module: string) => {
  try {
    execFileSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasTorch = has('torch');
const hasFashion = existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
const fixture = resolve(__dirname, '../../../test/fixtures/metrics/mixture_c10');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-nc-test-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The preset cut to seconds: the first 1000 images, batch 100 (10 updates per epoch), 2 epochs. */
const SHORT = [
  '--set',
  'dataset.trainSize=1000',
  '--set',
  'dataset.testSize=200',
  '--set',
  'batchSize=100',
  '--epochs',
  '2',
  '--seed',
  '0',
];
const shortConfig = () =>
  parseTrainConfig({
    ...PRESETS[NC_PRESET].config,
    dataset: { ...PRESETS[NC_PRESET].config.dataset, trainSize: 1000, testSize: 200 },
    batchSize: 100,
    epochs: 2,
  } as never);

describe('nc-fashion-mnist bench', () => {
  it.skipIf(!hasTorch)("the PyTorch side's NC1 is METRICS.md's (the mixture_c10 fixture's expected value)", () => {
    const expected = JSON.parse(readFileSync(`${fixture}.expected.json`, 'utf8')).nc1 as number;
    const script = `import sys, numpy as np, torch\n${NC1_PY}\nd = np.load(sys.argv[1])\nprint(nc1(torch.from_numpy(d['features']), torch.from_numpy(d['labels']).long()))`;
    const got = Number(execFileSync(PYTHON, ['-c', script, `${fixture}.npz`], { encoding: 'utf8' }).trim());
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-9);
  });

  it('reads the checkpoint epochs off the schedule: a grid every 2 epochs and the epoch-end log-spaced steps', () => {
    // 10 updates per epoch, 20 in all: perDecade 1 -> steps 1, 10 (epoch 1); every 2 epochs -> 20; last 20
    expect(ncSchedule(shortConfig())).toEqual({ stepsPerEpoch: 10, checkpointEpochs: [1, 2] });
    const full = ncSchedule(parseTrainConfig(PRESETS[NC_PRESET].config));
    expect(full.stepsPerEpoch).toBe(469);
  });

  it.skipIf(!hasFashion)(
    'a shortened run through the built CLI stores NC1 at every checkpoint, and PyTorch runs the same recipe',
    async () => {
      const run = await plateauNcRun(SHORT, dataDir, 10);
      expect(run.status).toBe('succeeded');
      expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      // checkpoints at steps 0, 1, 10, 20 (the init, log-spaced, the grid and the last)
      expect(run.nc1.map((c) => c.epoch)).toEqual([0, 0.1, 1, 2]);
      for (const c of run.nc1) expect(c.nc1).toBeGreaterThan(0);
      const end = run.nc1.at(-1)!.nc1;
      expect(end).toBeLessThan(run.nc1[0].nc1); // features of a trained net separate the classes better than at init
      if (!hasTorch) return;
      const torch = torchNcRun(shortConfig(), [1, 2], 1, () => {})!;
      expect(torch.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(torch.nc1.map((c) => c.epoch)).toEqual([1, 2]);
      // same recipe, other random streams: the same training accuracy and collapse to within a few percent / 2x
      expect(Math.abs(torch.epochs[1].trainAcc - run.epochs[1].trainAcc)).toBeLessThan(0.05);
      expect(torch.nc1[1].nc1 / end).toBeGreaterThan(0.5);
      expect(torch.nc1[1].nc1 / end).toBeLessThan(2);
    },
    120_000,
  );
});
