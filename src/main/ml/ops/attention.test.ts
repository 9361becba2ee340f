import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { hvp } from '../hessian/second-order';
import { attend, headIndicator, layerNorm } from './attention';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const rand = (shape: [number, number], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor2D;

/** Textbook attention on [n, T, d] with stock ops: softmax(Q K^T / sqrt(dh) + mask) V per head. */
function reference(q: tf.Tensor2D[], k: tf.Tensor2D[], v: tf.Tensor2D[], heads: number, causal: boolean): tf.Tensor {
  const [n, d] = q[0].shape;
  const T = k.length;
  const dh = d / heads;
  const split = (xs: tf.Tensor2D[]) => tf.transpose(tf.reshape(tf.stack(xs, 1), [n, xs.length, heads, dh]), [0, 2, 1, 3]);
  const s = tf.div(tf.matMul(split(q), split(k), false, true), Math.sqrt(dh));
  const qOffset = T - q.length;
  const mask = tf.tensor2d(
    Array.from({ length: q.length * T }, (_, ij) => (causal && ij % T > qOffset + Math.floor(ij / T) ? -1e9 : 0)),
    [q.length, T],
  );
  const a = tf.softmax(tf.add(s, mask));
  return tf.reshape(tf.transpose(tf.matMul(a, split(v)), [0, 2, 1, 3]), [n, q.length, d]);
}

describe('attention', () => {
  it('matches textbook multi-head attention, causal or full, for all or only the last queries', () => {
    tf.tidy(() => {
      const n = 5,
        d = 8,
        heads = 2,
        T = 3;
      const k = [0, 1, 2].map((j) => rand([n, d], 10 + j));
      const v = [0, 1, 2].map((j) => rand([n, d], 20 + j));
      const q = [0, 1, 2].map((j) => rand([n, d], 30 + j));
      const ind = headIndicator(d, heads);
      for (const causal of [true, false]) {
        const ours = tf.stack(attend(q, k, v, ind, causal, 0), 1);
        expect(maxDiff(ours, reference(q, k, v, heads, causal))).toBeLessThan(1e-5);
        const last = attend([q[T - 1]], k, v, ind, causal, T - 1)[0];
        expect(maxDiff(last, tf.squeeze(tf.slice(reference(q, k, v, heads, causal), [0, T - 1, 0], [n, 1, d]), [1]))).toBeLessThan(1e-5);
      }
    });
  });

  it('layerNorm matches the definition, and the block is twice differentiable (symmetric HVP)', () => {
    tf.tidy(() => {
      const x = rand([3, 4], 1);
      const y = layerNorm(x, tf.ones([4]), tf.zeros([4]));
      const mean = tf.mean(y, 1);
      const varr = tf.mean(tf.square(y), 1);
      expect(maxDiff(mean, tf.zeros([3]))).toBeLessThan(1e-5);
      expect(maxDiff(varr, tf.ones([3]))).toBeLessThan(1e-3);
    });
    const wq = tf.variable(rand([4, 4], 2));
    const g = tf.variable(tf.ones([4]));
    const xs = [rand([3, 4], 3), rand([3, 4], 4)];
    const ind = headIndicator(4, 2);
    const loss = () =>
      tf.tidy(() => {
        const h = xs.map((x) => layerNorm(x, g, tf.zeros([4])));
        const q = h.map((x) => tf.matMul(x, wq) as tf.Tensor2D);
        return tf.sum(tf.square(tf.add(...(attend(q, h, h, ind, true, 0) as [tf.Tensor2D, tf.Tensor2D])))) as tf.Scalar;
      });
    const u = [rand([4, 4], 5), tf.randomNormal([4], 0, 1, 'float32', 6)];
    const v = [rand([4, 4], 7), tf.randomNormal([4], 0, 1, 'float32', 8)];
    const hv = hvp(loss, [wq, g], v);
    const hu = hvp(loss, [wq, g], u);
    const dot = (a: tf.Tensor[], b: tf.Tensor[]) => a.reduce((s, t, i) => s + tf.tidy(() => tf.sum(tf.mul(t, b[i])).dataSync()[0]), 0);
    const uHv = dot(u, hv);
    expect(Math.abs(uHv - dot(v, hu))).toBeLessThan(1e-3 * Math.max(1, Math.abs(uHv)));
    expect(Math.abs(uHv)).toBeGreaterThan(0);
    tf.dispose([wq, g, ...xs, ind, ...u, ...v, ...hv, ...hu]);
  });
});
