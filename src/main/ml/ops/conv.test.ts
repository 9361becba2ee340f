import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { hvp } from '../hessian/second-order';
import { conv3x3, maxPool2x2 } from './conv';

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Stock tfjs on the cpu backend (which has every conv/pool gradient kernel) as the reference. */
async function stockReference(x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor, dyPool: tf.Tensor) {
  await initBackend('cpu');
  const r = tf.tidy(() => {
    const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, tf.transpose(b, [2, 3, 1, 0]) as tf.Tensor4D, 1, 'same');
    const y = conv(x, w);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([x, w]);
    const p = tf.maxPool(x, 2, 2, 'valid');
    const dp = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dyPool)))(x);
    return [y, dx, dw, p, dp].map((t) => ({ data: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape }));
  });
  await initBackend('wasm');
  return r.map((t) => tf.tensor(t.data, t.shape));
}

describe('conv3x3 and maxPool2x2 on wasm', () => {
  it('match the stock ops and their gradients (cpu backend)', async () => {
    const x = rand([2, 6, 4, 3], 1) as tf.Tensor4D;
    const w = rand([5, 3, 3, 3], 2) as tf.Tensor4D;
    const dy = rand([2, 6, 4, 5], 3);
    const dyPool = rand([2, 3, 2, 3], 4);
    const [y, dx, dw, p, dp] = await stockReference(x, w, dy, dyPool);
    expect(tf.getBackend()).toBe('wasm');
    tf.tidy(() => {
      expect(maxDiff(conv3x3(x, w), y)).toBeLessThan(1e-4);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv3x3(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
      expect(maxDiff(g[0], dx)).toBeLessThan(1e-4);
      expect(maxDiff(g[1], dw)).toBeLessThan(1e-4);
      const gIn = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(conv3x3(x, b as tf.Tensor4D, true), dy)))(w);
      expect(maxDiff(gIn, dw)).toBeLessThan(1e-4);
      expect(maxDiff(maxPool2x2(x), p)).toBe(0);
      const gp = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(a as tf.Tensor4D), dyPool)))(x);
      expect(maxDiff(gp, dp)).toBeLessThan(1e-6);
    });
    tf.dispose([x, w, dy, dyPool, y, dx, dw, p, dp]);
  });

  it('has weight gradients equal to central finite differences', () => {
    tf.tidy(() => {
      const x = rand([1, 4, 4, 2], 5) as tf.Tensor4D;
      const w = rand([3, 2, 3, 3], 6) as tf.Tensor4D;
      // a smooth scalar of conv -> pool: pooling is locally linear away from ties
      const f = (ww: tf.Tensor) => tf.sum(tf.square(maxPool2x2(conv3x3(x, ww as tf.Tensor4D, true)))) as tf.Scalar;
      const g = tf.grad(f)(w).dataSync();
      const base = w.dataSync();
      const eps = 1e-2;
      for (const i of [0, 7, 20, 53]) {
        const plus = Float32Array.from(base);
        const minus = Float32Array.from(base);
        plus[i] += eps;
        minus[i] -= eps;
        const fd = (f(tf.tensor(plus, w.shape)).dataSync()[0] - f(tf.tensor(minus, w.shape)).dataSync()[0]) / (2 * eps);
        expect(Math.abs(fd - g[i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
      }
    });
  });

  it('is twice differentiable: symmetric HVPs that match finite differences of the gradient', () => {
    const w1 = tf.variable(rand([3, 1, 3, 3], 7));
    const w2 = tf.variable(tf.mul(rand([2, 3, 3, 3], 8), 0.5));
    const x = rand([2, 4, 4, 1], 9) as tf.Tensor4D;
    const loss = () =>
      tf.tidy(() => {
        const h = maxPool2x2(tf.tanh(conv3x3(x, w1 as unknown as tf.Tensor4D, true)));
        return tf.sum(tf.square(tf.tanh(conv3x3(h, w2 as unknown as tf.Tensor4D)))) as tf.Scalar;
      });
    const params = [w1, w2];
    const u = [rand([3, 1, 3, 3], 10), rand([2, 3, 3, 3], 11)];
    const v = [rand([3, 1, 3, 3], 12), rand([2, 3, 3, 3], 13)];
    const dot = (a: tf.Tensor[], b: tf.Tensor[]) => a.reduce((s, t, i) => s + tf.tidy(() => tf.sum(tf.mul(t, b[i])).dataSync()[0]), 0);
    const hv = hvp(loss, params, v);
    const hu = hvp(loss, params, u);
    expect(Math.abs(dot(u, hv) - dot(v, hu))).toBeLessThan(1e-3 * Math.max(1, Math.abs(dot(u, hv))));
    // (g(w + eps v) - g(w - eps v)) / (2 eps) ~ H v
    const eps = 1e-2;
    const gradAt = (sign: number) => {
      params.forEach((p, i) => p.assign(tf.tidy(() => tf.add(p, tf.mul(sign * eps, v[i])))));
      const g = tf.grads(loss)(params);
      params.forEach((p, i) => p.assign(tf.tidy(() => tf.sub(p, tf.mul(sign * eps, v[i])))));
      return g;
    };
    const gp = gradAt(1);
    const gm = gradAt(-1);
    const fd = gp.map((t, i) => tf.div(tf.sub(t, gm[i]), 2 * eps));
    const rel =
      Math.sqrt(
        dot(
          fd.map((t, i) => tf.sub(t, hv[i])),
          fd.map((t, i) => tf.sub(t, hv[i])),
        ),
      ) / Math.sqrt(dot(hv, hv));
    expect(rel).toBeLessThan(2e-2);
    tf.dispose([w1, w2, x, ...u, ...v, ...hv, ...hu, ...gp, ...gm, ...fd]);
  });
});
