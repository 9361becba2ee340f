import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { train, type EpochLog } from '../train';
import { meanSquaredError } from './loss';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('MSE loss', () => {
  it('has the hand-computed value and gradient 2 (z - y) / (n C)', () => {
    tf.tidy(() => {
      const z = tf.tensor2d([
        [1, 2, 0],
        [0.5, -1, 3],
      ]);
      const y = tf.tensor2d([
        [0, 1, 0],
        [1, 0, 0],
      ]);
      // squared errors: row 1: 1, 1, 0; row 2: 0.25, 1, 9 -> sum 12.25 over 6 entries
      expect(meanSquaredError(z, y).dataSync()[0]).toBeCloseTo(12.25 / 6, 6);
      const g = Array.from(
        tf
          .grad((t: tf.Tensor) => meanSquaredError(t as tf.Tensor2D, y))(z)
          .dataSync(),
      );
      const expected = [1, 1, 0, -0.5, -1, 3].map((d) => (2 * d) / 6);
      g.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    });
  });

  it("trains with loss 'mse' and logs MSE losses", async () => {
    const logs: EpochLog[] = [];
    const s = await train(
      {
        dataset: { kind: 'gaussian-mixture', classes: 3, dim: 4, trainSize: 60, testSize: 30 },
        model: { kind: 'mlp', hidden: [16] },
        optimizer: { kind: 'sgd', lr: 0.1 },
        loss: 'mse',
        epochs: 40,
        checkpoints: { firstAndLast: false },
      },
      { onEpoch: (l) => void logs.push(l) },
    );
    expect(s.config.loss).toBe('mse');
    expect(logs[39].train_loss).toBeLessThan(0.5 * logs[0].train_loss);
    // MSE after one epoch is ~0.85 here; cross-entropy is log(3) at chance and more above it
    expect(logs[0].train_loss).toBeLessThan(Math.log(3));
    expect(logs[39].train_acc).toBeGreaterThan(0.75);
  });
});
