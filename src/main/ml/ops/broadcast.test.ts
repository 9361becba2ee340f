import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { hvp } from '../hessian/second-order';
import { addRow, mulRow, sumRows } from './broadcast';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('row-broadcast ops', () => {
  it('match tf.add / tf.mul / tf.sum and their gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
      const b = tf.randomNormal([3], 0, 1, 'float32', 2);
      const dy = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
      expect(maxDiff(sumRows(x), tf.sum(x, 0))).toBeLessThan(1e-5);
      for (const [ours, stock] of [
        [addRow, tf.add],
        [mulRow, tf.mul],
      ] as const) {
        expect(maxDiff(ours(x, b), stock(x, b))).toBeLessThan(1e-6);
        const f = (op: (a: tf.Tensor2D, c: tf.Tensor) => tf.Tensor) =>
          tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor2D, c), dy)))([x, b]);
        const g1 = f(ours);
        const g2 = f(stock);
        expect(maxDiff(g1[0], g2[0])).toBeLessThan(1e-5);
        expect(maxDiff(g1[1], g2[1])).toBeLessThan(1e-5);
      }
    });
  });

  it('are twice differentiable (HVP of sum((x*g + b)^3) equals the stock ops)', () => {
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 4) as tf.Tensor2D;
    const g = tf.variable(tf.randomNormal([3], 0, 1, 'float32', 5));
    const b = tf.variable(tf.randomNormal([3], 0, 1, 'float32', 6));
    const v = [tf.randomNormal([3], 0, 1, 'float32', 7), tf.randomNormal([3], 0, 1, 'float32', 8)];
    const ours = hvp(() => tf.sum(tf.pow(addRow(mulRow(x, g), b), 3)) as tf.Scalar, [g, b], v);
    const stock = hvp(() => tf.sum(tf.pow(tf.add(tf.mul(x, g), b), 3)) as tf.Scalar, [g, b], v);
    expect(maxDiff(ours[0], stock[0])).toBeLessThan(1e-3);
    expect(maxDiff(ours[1], stock[1])).toBeLessThan(1e-3);
    tf.dispose([x, g, b, ...v, ...ours, ...stock]);
  });
});
