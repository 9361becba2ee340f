import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import type { TrainConfigInput } from '../../shared/domain/train-config';
import { initBackend } from './backend';
import { train, type CheckpointPayload, type EpochLog, type ResumeState } from './train';

beforeAll(async () => {
  await initBackend('wasm');
});

async function run(config: TrainConfigInput, resume?: ResumeState, control?: () => 'run' | 'cancel') {
  const logs: EpochLog[] = [];
  const ckpts: CheckpointPayload[] = [];
  const summary = await train(config, { onEpoch: (l) => void logs.push(l), onCheckpoint: (c) => void ckpts.push(c), control }, { resume });
  return { summary, logs, ckpts };
}

function maxWeightDiff(a: CheckpointPayload, b: CheckpointPayload): number {
  let d = 0;
  for (const [name, w] of Object.entries(a.weights)) {
    const v = b.weights[name].data;
    for (let i = 0; i < w.data.length; i++) d = Math.max(d, Math.abs(w.data[i] - v[i]));
  }
  return d;
}

/** Runs uninterrupted, then resumes from the checkpoint at `at`; both must end in the same state. */
async function expectResumeMatches(config: TrainConfigInput, at: number) {
  const full = await run(config);
  const snap = full.ckpts.find((c) => c.step === at);
  expect(snap, `checkpoint at step ${at}`).toBeDefined();
  const before = tf.memory().numTensors;
  const resumed = await run(config, snap);
  expect(tf.memory().numTensors).toBe(before);
  expect(resumed.summary.status).toBe('succeeded');
  expect(resumed.summary.steps).toBe(full.summary.steps);
  const fa = full.ckpts[full.ckpts.length - 1];
  const ra = resumed.ckpts[resumed.ckpts.length - 1];
  expect(ra.step).toBe(fa.step);
  expect(maxWeightDiff(fa, ra)).toBeLessThan(1e-6);
  // the later checkpoints and every epoch log after the snapshot agree
  expect(resumed.ckpts.map((c) => c.step)).toEqual(full.ckpts.filter((c) => c.step > at).map((c) => c.step));
  const tail = full.logs.filter((l) => l.step > at);
  expect(resumed.logs.map((l) => l.epoch)).toEqual(tail.map((l) => l.epoch));
  resumed.logs.forEach((l, i) => {
    expect(l.train_loss).toBeCloseTo(tail[i].train_loss, 6);
    expect(l.test_loss).toBeCloseTo(tail[i].test_loss, 6);
    expect(l.lr).toBe(tail[i].lr);
  });
  return { full, resumed };
}

describe('resume', () => {
  it('full-batch AdamW: resuming at epoch 3 of 8 equals the uninterrupted run', async () => {
    await expectResumeMatches(
      {
        dataset: { kind: 'modular', p: 13, trainFraction: 0.5 },
        model: { kind: 'quadratic-mlp', width: 32 },
        optimizer: { kind: 'adamw', lr: 1e-2, beta2: 0.98, weightDecay: 1 },
        epochs: 8,
        checkpoints: { everySteps: 3 },
      },
      3,
    );
  });

  it('minibatch SGD momentum + cosine: resuming mid-epoch replays the shuffle order', async () => {
    const config: TrainConfigInput = {
      dataset: { kind: 'gaussian-mixture', classes: 3, dim: 8, separation: 2, trainSize: 300, testSize: 100 },
      model: { kind: 'mlp', hidden: [16] },
      optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
      schedule: { kind: 'cosine', warmupSteps: 3 },
      batchSize: 64, // 5 steps per epoch, the last one short
      epochs: 6,
      checkpoints: { everySteps: 7 },
    };
    await expectResumeMatches(config, 7); // epoch 2, batch 2
    await expectResumeMatches(config, 14);
  });

  it('resumes from the final checkpoint of a cancelled run', async () => {
    const config: TrainConfigInput = {
      dataset: { kind: 'gaussian-mixture', classes: 3, dim: 8, trainSize: 200, testSize: 50 },
      model: { kind: 'mlp', hidden: [16] },
      optimizer: { kind: 'adam', lr: 1e-2 },
      batchSize: 50,
      epochs: 4,
    };
    let calls = 0;
    const cut = await run(config, undefined, () => (++calls > 6 ? 'cancel' : 'run'));
    expect(cut.summary.status).toBe('cancelled');
    const snap = cut.ckpts[cut.ckpts.length - 1];
    expect(snap.step).toBe(6);
    const full = await run(config);
    const resumed = await run(config, snap);
    expect(maxWeightDiff(full.ckpts[full.ckpts.length - 1], resumed.ckpts[resumed.ckpts.length - 1])).toBeLessThan(1e-6);
  });

  it('rejects a checkpoint that does not fit the run, naming the field', async () => {
    const config: TrainConfigInput = {
      dataset: { kind: 'modular', p: 13, trainFraction: 0.5 },
      model: { kind: 'quadratic-mlp', width: 8 },
      optimizer: { kind: 'adamw', lr: 1e-2 },
      epochs: 3,
    };
    const { ckpts } = await run(config);
    const last = ckpts[ckpts.length - 1];
    const cases: [ResumeState, RegExp][] = [
      [{ ...last, step: 4 }, /^resume\.step must be an integer in \[0, 3\]/],
      [{ ...last, epoch: 1 }, /^resume\.epoch must be in \[3, 3\]/],
      [{ ...last, optimizer: { ...last.optimizer!, kind: 'sgd' } }, /^resume\.optimizer\.kind must be 'adamw'/],
      [
        { ...last, weights: { ...last.weights, 'out.weight': { shape: [2, 2], data: new Float32Array(4) } } },
        /^resume\.weights do not fit/,
      ],
    ];
    const before = tf.memory().numTensors;
    for (const [resume, message] of cases) {
      const err = await train(config, {}, { resume }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlateauError);
      expect((err as PlateauError).message).toMatch(message);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
