import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import type { TrainConfigInput } from '../../shared/domain/train-config';
import { initBackend } from './backend';
import { GROKKING_MLP, preset } from '../../shared/domain/presets';
import { train, type CheckpointPayload, type EpochLog } from './train';

beforeAll(async () => {
  await initBackend('wasm');
});

const small = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  dataset: { kind: 'modular', p: 13, op: 'a+b', trainFraction: 0.5 },
  model: { kind: 'quadratic-mlp', width: 32 },
  optimizer: { kind: 'adamw', lr: 1e-2, beta1: 0.9, beta2: 0.98, weightDecay: 1 },
  epochs: 5,
  seed: 0,
  ...over,
});

async function run(config: TrainConfigInput) {
  const logs: EpochLog[] = [];
  const ckpts: CheckpointPayload[] = [];
  const summary = await train(config, { onEpoch: (l) => void logs.push(l), onCheckpoint: (c) => void ckpts.push(c) });
  return { summary, logs, ckpts };
}

describe('validation', () => {
  const cases: [string, TrainConfigInput, RegExp][] = [
    ['negative lr', small({ optimizer: { kind: 'adamw', lr: -1 } }), /^optimizer\.lr must be > 0/],
    ['train fraction', small({ dataset: { kind: 'modular', p: 13, trainFraction: 1.2 } }), /^dataset\.trainFraction must be in \(0, 1\)/],
    ['division mod a composite', small({ dataset: { kind: 'modular', p: 12, op: 'a/b' } }), /^dataset\.p must be prime for op a\/b/],
    [
      'unknown activation',
      small({ model: { kind: 'mlp', activation: 'swish' as 'relu' } }),
      /^model\.activation must be one of 'relu', 'gelu', 'tanh', 'quadratic'/,
    ],
    ['batch size', small({ batchSize: 0 }), /^batchSize must be an integer in \[1, 1e8\] or 'full'/],
    [
      'unknown optimizer',
      small({ optimizer: { kind: 'rmsprop' as 'sgd', lr: 1 } }),
      /^optimizer\.kind must be one of 'sgd', 'adam', 'adamw'/,
    ],
  ];
  for (const [name, config, message] of cases) {
    it(`rejects ${name} with InvalidParams naming the field`, async () => {
      const err = await train(config).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlateauError);
      expect((err as PlateauError).code).toBe('InvalidParams');
      expect((err as PlateauError).message).toMatch(message);
    });
  }

  it('rejects a quadratic MLP on dense data', async () => {
    const err = await train(small({ dataset: { kind: 'gaussian-mixture' } })).catch((e: unknown) => e);
    expect((err as PlateauError).message).toMatch(/model\.kind/);
  });
});

describe('train', () => {
  it('logs every epoch with both splits and returns tensors to baseline', async () => {
    const before = tf.memory().numTensors;
    const { summary, logs, ckpts } = await run(small({ epochs: 4, checkpoints: { everySteps: 2 } }));
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.status).toBe('succeeded');
    expect(summary.steps).toBe(4);
    expect(logs.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    for (const l of logs) {
      for (const k of ['train_loss', 'train_acc', 'test_loss', 'test_acc', 'steps_per_s'] as const)
        expect(Number.isFinite(l[k])).toBe(true);
    }
    expect(ckpts.map((c) => c.step)).toEqual([0, 2, 4]);
    expect(Object.keys(ckpts[0].weights)).toEqual(['embed_a.weight', 'embed_b.weight', 'out.weight']);
    expect(ckpts[0].weights['out.weight'].shape).toEqual([13, 32]);
    expect(ckpts[2].optimizer?.step).toBe(4);
  });

  it('is deterministic for a seed on one backend', async () => {
    const a = await run(small({ epochs: 6 }));
    const b = await run(small({ epochs: 6 }));
    const c = await run(small({ epochs: 6, seed: 1 }));
    expect(b.logs.map((l) => l.train_loss)).toEqual(a.logs.map((l) => l.train_loss));
    expect(b.logs.map((l) => l.test_acc)).toEqual(a.logs.map((l) => l.test_acc));
    expect(c.logs.map((l) => l.train_loss)).not.toEqual(a.logs.map((l) => l.train_loss));
  });

  it('grokking-mlp: the loss goes down in a few epochs', async () => {
    const { summary, logs } = await run(preset('grokking-mlp', { epochs: 25, checkpoints: { firstAndLast: false } }));
    expect(summary.status).toBe('succeeded');
    expect(summary.config.dataset).toMatchObject({ p: 97, op: 'a+b', trainFraction: 0.3 });
    expect(logs[24].train_loss).toBeLessThan(logs[0].train_loss - 0.5);
    expect(logs[24].train_acc).toBeGreaterThan(logs[0].train_acc);
    expect(GROKKING_MLP.epochs).toBe(1000);
  });

  it('minibatches a plain MLP with SGD momentum, clipping and a cosine schedule', async () => {
    const before = tf.memory().numTensors;
    const { summary, logs } = await run({
      dataset: { kind: 'gaussian-mixture', classes: 3, dim: 8, separation: 4, trainSize: 300, testSize: 100 },
      model: { kind: 'mlp', hidden: [32, 16], activation: 'gelu' },
      optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
      schedule: { kind: 'cosine', warmupSteps: 5 },
      gradClip: 1,
      batchSize: 64,
      epochs: 5,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.steps).toBe(25);
    expect(logs[4].train_acc).toBeGreaterThan(0.8);
  });

  it('stops with diverged on a NaN/Inf loss', async () => {
    const before = tf.memory().numTensors;
    const { summary } = await run(small({ optimizer: { kind: 'sgd', lr: 1e12 }, epochs: 50 }));
    expect(summary.status).toBe('diverged');
    expect(summary.reason).toMatch(/loss/);
    expect(summary.epochs).toBeLessThan(50);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancels when control says so', async () => {
    let calls = 0;
    const summary = await train(small({ epochs: 100 }), { control: () => (++calls > 3 ? 'cancel' : 'run') });
    expect(summary.status).toBe('cancelled');
    expect(summary.steps).toBe(3);
  });

  it('saves log-spaced checkpoints plus first and last', async () => {
    const { ckpts } = await run(small({ epochs: 30, checkpoints: { perDecade: 2 } }));
    // round(10^(j/2)) = 1, 3, 10, 32 (> 30 stops); plus 0 and 30
    expect(ckpts.map((c) => c.step)).toEqual([0, 1, 3, 10, 30]);
  });
});

describe('file datasets and presets', () => {
  const fashion = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
  it.skipIf(!existsSync(fashion))(
    'fashion-mnist-mlp trains on a class-balanced subset (skipped without dataset-fashion-mnist)',
    async () => {
      const base = preset('fashion-mnist-mlp');
      const { summary, logs } = await run({
        ...base,
        dataset: { ...(base.dataset as object), trainSize: 1000, testSize: 500, classBalanced: true } as TrainConfigInput['dataset'],
        model: { kind: 'mlp', hidden: [64] },
        batchSize: 100,
        epochs: 3,
      });
      expect(summary.status).toBe('succeeded');
      expect(logs[2].test_acc).toBeGreaterThan(0.5);
    },
  );
});
