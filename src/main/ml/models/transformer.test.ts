import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng } from '../data/prng';
import { hvp } from '../hessian/second-order';
import { train, type EpochLog } from '../train';
import { softmaxCrossEntropy } from '../ops/cross-entropy';
import { transformer } from './transformer';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('transformer', () => {
  it('has PyTorch-like weights, [n, C] logits and [n, d] features, and computes each row on its own', () => {
    const before = tf.memory().numTensors;
    const m = transformer(createRng(0), { vocab: 7, length: 2, numClasses: 7, layers: 2, dModel: 8, heads: 2, mlpWidth: 16, norm: 'pre' });
    const w = m.namedWeights();
    expect(w['embed.weight'].shape).toEqual([8, 8]); // vocab + '='
    expect(w['pos_embed.weight'].shape).toEqual([3, 8]);
    expect(w['blocks.1.attn.q_proj.weight'].shape).toEqual([8, 8]);
    expect(w['blocks.0.mlp.fc1.weight'].shape).toEqual([16, 8]);
    expect(w['blocks.0.mlp.fc2.weight'].shape).toEqual([8, 16]);
    expect(w['ln_f.weight'].shape).toEqual([8]);
    expect(m.lastLayer().weight).toBe(w['unembed.weight']);
    expect(Object.keys(w).length).toBe(2 + 2 * 16 + 2 + 1);
    tf.tidy(() => {
      const ids = tf.tensor2d(
        [
          [1, 2],
          [6, 0],
          [3, 3],
        ],
        [3, 2],
        'int32',
      );
      const { logits, features } = m.forward(ids);
      expect(logits.shape).toEqual([3, 7]);
      expect(features.shape).toEqual([3, 8]);
      const one = m.forward(tf.tensor2d([[6, 0]], [1, 2], 'int32')).logits;
      expect(maxDiff(one, tf.slice(logits, [1, 0], [1, -1]))).toBeLessThan(1e-5);
    });
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has no LayerNorm weights with norm none, and post-LN has no ln_f', () => {
    const none = transformer(createRng(0), {
      vocab: 5,
      length: 2,
      numClasses: 5,
      layers: 1,
      dModel: 4,
      heads: 2,
      mlpWidth: 8,
      norm: 'none',
      equalsToken: false,
    });
    expect(Object.keys(none.namedWeights()).some((k) => k.includes('ln'))).toBe(false);
    expect(none.namedWeights()['pos_embed.weight'].shape).toEqual([2, 4]);
    none.dispose();
    const post = transformer(createRng(0), { vocab: 5, length: 2, numClasses: 5, layers: 1, dModel: 4, heads: 2, mlpWidth: 8 });
    expect(post.namedWeights()['ln_f.weight']).toBeUndefined();
    expect(post.namedWeights()['blocks.0.ln2.bias'].shape).toEqual([4]);
    post.dispose();
  });

  it('has gradients equal to finite differences along a random direction', () => {
    for (const norm of ['pre', 'post', 'none'] as const) {
      const m = transformer(createRng(4), { vocab: 5, length: 2, numClasses: 5, layers: 2, dModel: 8, heads: 2, mlpWidth: 8, norm });
      const params = Object.values(m.namedWeights());
      const ids = tf.tensor2d(
        [
          [1, 2],
          [4, 0],
          [3, 3],
          [0, 1],
        ],
        [4, 2],
        'int32',
      );
      const y = tf.oneHot(tf.tensor1d([3, 4, 1, 1], 'int32'), 5).toFloat() as tf.Tensor2D;
      const loss = () => softmaxCrossEntropy(m.forward(ids).logits, y);
      const dirs = params.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', 100 + i));
      const g = tf.grads(loss)(params);
      const analytic = g.reduce((s, t, i) => s + tf.sum(tf.mul(t, dirs[i])).dataSync()[0], 0);
      // small: larger steps cross ReLU kinks of the first block's MLP and the difference stops being local
      const eps = 1e-3;
      const shift = (sign: number) => params.forEach((p, i) => p.assign(tf.tidy(() => tf.add(p, tf.mul(sign * eps, dirs[i])))));
      shift(1);
      const lp = tf.tidy(() => loss().dataSync()[0]);
      shift(-2);
      const lm = tf.tidy(() => loss().dataSync()[0]);
      shift(1);
      const fd = (lp - lm) / (2 * eps);
      expect(Math.abs(fd - analytic), norm).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
      tf.dispose([ids, y, ...dirs, ...g]);
      m.dispose();
    }
  });

  it('is twice differentiable: symmetric HVPs over all weights', () => {
    const m = transformer(createRng(5), { vocab: 5, length: 2, numClasses: 5, layers: 2, dModel: 8, heads: 2, mlpWidth: 8, norm: 'pre' });
    const params = Object.values(m.namedWeights());
    const ids = tf.tensor2d(
      [
        [1, 2],
        [4, 0],
        [3, 3],
      ],
      [3, 2],
      'int32',
    );
    const y = tf.oneHot(tf.tensor1d([3, 4, 1], 'int32'), 5).toFloat() as tf.Tensor2D;
    const loss = () => softmaxCrossEntropy(m.forward(ids).logits, y);
    const u = params.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', 200 + i));
    const v = params.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', 300 + i));
    const hv = hvp(loss, params, v);
    const hu = hvp(loss, params, u);
    const dot = (a: tf.Tensor[], b: tf.Tensor[]) => a.reduce((s, t, i) => s + tf.tidy(() => tf.sum(tf.mul(t, b[i])).dataSync()[0]), 0);
    const uHv = dot(u, hv);
    expect(Math.abs(uHv)).toBeGreaterThan(1e-3);
    expect(Math.abs(uHv - dot(v, hu))).toBeLessThan(1e-3 * Math.max(1, Math.abs(uHv)));
    tf.dispose([ids, y, ...u, ...v, ...hv, ...hu]);
    m.dispose();
  });

  const config = (seed: number) => ({
    dataset: { kind: 'modular' as const, p: 11, trainFraction: 0.5 },
    model: { kind: 'transformer' as const, layers: 1 as const, dModel: 16, heads: 2, mlpWidth: 32 },
    optimizer: { kind: 'adamw' as const, lr: 1e-2, beta2: 0.98, weightDecay: 1 },
    epochs: 15,
    seed,
    checkpoints: { firstAndLast: false },
  });

  it('reduces the training loss in a few full-batch steps, deterministically by seed', async () => {
    const run = async (seed: number) => {
      const logs: EpochLog[] = [];
      await train(config(seed), { onEpoch: (l) => void logs.push(l) });
      return logs;
    };
    const a = await run(1);
    expect(a[a.length - 1].train_loss).toBeLessThan(0.85 * a[0].train_loss);
    const b = await run(1);
    expect(b.map((l) => l.train_loss)).toEqual(a.map((l) => l.train_loss));
    const c = await run(2);
    expect(c[0].train_loss).not.toBe(a[0].train_loss);
  });

  it('rejects heads that do not divide dModel and dense datasets', async () => {
    await expect(train({ ...config(0), model: { kind: 'transformer', dModel: 10, heads: 4 } })).rejects.toThrow(
      /model.heads must divide dModel=10/,
    );
    await expect(train({ ...config(0), dataset: { kind: 'gaussian-mixture' } })).rejects.toThrow(/token dataset/);
  });
});
