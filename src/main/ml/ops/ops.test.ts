import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { softmaxCrossEntropy, trainingCrossEntropy } from './cross-entropy';
import { embeddingLookup } from './embedding';
import { batchMatMul, explicitBatchMatMul, inputMatMul, linear, matMul } from './matmul';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('fast matMul', () => {
  it('matches the stock matMul and its gradients on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
    tf.tidy(() => {
      const a = tf.randomNormal([5, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
      const b = tf.randomNormal([4, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
      const w = tf.randomNormal([3, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
      expect(maxDiff(matMul(a, b), tf.matMul(a, b))).toBeLessThan(1e-5);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([a, b]);
      const stock = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([a, b]);
      expect(maxDiff(ours[0], stock[0])).toBeLessThan(1e-4);
      expect(maxDiff(ours[1], stock[1])).toBeLessThan(1e-4);
      const gIn = tf.grad((y: tf.Tensor) => tf.sum(tf.square(inputMatMul(a, y as tf.Tensor2D))))(b);
      expect(maxDiff(gIn, stock[1])).toBeLessThan(1e-4);
      const gLin = tf.grad((y: tf.Tensor) => tf.sum(tf.square(linear(a, y as tf.Tensor2D))))(w);
      const gRef = tf.grad((y: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, y as tf.Tensor2D, false, true))))(w);
      expect(maxDiff(gLin, gRef)).toBeLessThan(1e-4);
      const gLinIn = tf.grad((y: tf.Tensor) => tf.sum(tf.square(linear(a, y as tf.Tensor2D, true))))(w);
      expect(maxDiff(gLinIn, gRef)).toBeLessThan(1e-4);
      const dx = tf.grad((z: tf.Tensor) => tf.sum(tf.square(linear(z as tf.Tensor2D, w))))(a);
      const dxRef = tf.grad((z: tf.Tensor) => tf.sum(tf.square(tf.matMul(z as tf.Tensor2D, w, false, true))))(a);
      expect(maxDiff(dx, dxRef)).toBeLessThan(1e-4);
    });
  });

  it('is twice differentiable (second derivative of sum((a b)^2) in b)', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      const b = tf.tensor2d([[0.5], [-1]]);
      // d/db of sum of grad components: grad = 2 a^T a b, so d/db sum(grad) = 2 a^T a 1 -> column sums
      const f = (y: tf.Tensor) => tf.sum(tf.grad((z: tf.Tensor) => tf.sum(tf.square(matMul(a, z as tf.Tensor2D))))(y));
      const h = tf.grad(f)(b);
      const expected = tf.matMul(tf.mul(2, tf.matMul(a, a, true, false)), tf.ones([2, 1]));
      expect(maxDiff(h, expected)).toBeLessThan(1e-4);
    });
  });
});

describe('batched matMul', () => {
  it('gives the stock batched product and gradients on both routes, and its own second derivative', () => {
    tf.tidy(() => {
      const a = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 11) as tf.Tensor3D;
      const b = tf.randomNormal([3, 4, 2], 0, 1, 'float32', 12) as tf.Tensor3D;
      type Bmm = (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor3D;
      const sq = (f: Bmm) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(f(x as tf.Tensor3D, y as tf.Tensor3D)));
      const stock = tf.grads(sq((x, y) => tf.matMul(x, y)))([a, b]);
      for (const f of [batchMatMul, explicitBatchMatMul]) {
        expect(maxDiff(f(a, b), tf.matMul(a, b))).toBeLessThan(1e-5);
        const ours = tf.grads(sq(f))([a, b]);
        expect(maxDiff(ours[0], stock[0])).toBeLessThan(1e-4);
        expect(maxDiff(ours[1], stock[1])).toBeLessThan(1e-4);
      }
      // d/db sum(grad_b sum((a b)^2)) = d/db sum(2 a^T a b) = 2 a^T a 1 per batch matrix
      const gradB = tf.grad((z: tf.Tensor) => tf.sum(tf.square(explicitBatchMatMul(a, z as tf.Tensor3D))));
      const h = tf.grad((y: tf.Tensor) => tf.sum(gradB(y)))(b);
      const expected = tf.matMul(tf.mul(2, tf.matMul(a, a, true, false)), tf.ones([3, 4, 2]));
      expect(maxDiff(h, expected)).toBeLessThan(1e-3);
    });
  });
});

describe('softmax cross-entropy', () => {
  it('equals the mean of -log softmax at the label', () => {
    tf.tidy(() => {
      const z = tf.tensor2d([
        [1, 2, 3],
        [1000, 0, -1000],
      ]);
      const y = tf.tensor2d([
        [0, 0, 1],
        [0, 1, 0],
      ]);
      // row 1: log(e^1 + e^2 + e^3) - 3; row 2: 1000 - 0 (stable despite huge logits)
      const r1 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
      const expected = (r1 + 1000) / 2;
      expect(softmaxCrossEntropy(z, y).dataSync()[0]).toBeCloseTo(expected, 3);
      expect(trainingCrossEntropy(z, y).dataSync()[0]).toBeCloseTo(expected, 3);
    });
  });

  it('both versions give the stock gradient (softmax - y) / n', () => {
    tf.tidy(() => {
      const z = tf.randomNormal([6, 4], 0, 2, 'float32', 5) as tf.Tensor2D;
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), 4).toFloat() as tf.Tensor2D;
      const ref = tf.div(tf.sub(tf.softmax(z), y), 6);
      const g1 = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, y))(z);
      const g2 = tf.grad((x: tf.Tensor) => trainingCrossEntropy(x as tf.Tensor2D, y))(z);
      expect(maxDiff(g1, ref)).toBeLessThan(1e-6);
      expect(maxDiff(g2, ref)).toBeLessThan(1e-6);
      const stock = tf.losses.softmaxCrossEntropy(y, z).dataSync()[0];
      expect(softmaxCrossEntropy(z, y).dataSync()[0]).toBeCloseTo(stock, 5);
    });
  });
});

describe('embedding lookup', () => {
  it('gathers rows and scatters the gradient back on wasm', () => {
    tf.tidy(() => {
      const table = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const ids = tf.tensor1d([2, 0, 2], 'int32');
      expect(Array.from(embeddingLookup(table, ids).dataSync())).toEqual([5, 6, 1, 2, 5, 6]);
      const g = tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            embeddingLookup(t as tf.Tensor2D, ids),
            tf.tensor2d([
              [1, 1],
              [2, 2],
              [3, 3],
            ]),
          ),
        ),
      )(table);
      expect(Array.from(g.dataSync())).toEqual([2, 2, 0, 0, 4, 4]);
    });
  });
});
