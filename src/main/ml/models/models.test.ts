import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng } from '../data/prng';
import { mlp } from './mlp';
import { loadWeights, snapshotWeights } from './model';
import { defaultQuadraticInitStd, quadraticMlp } from './quadratic-mlp';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('quadratic MLP', () => {
  it('computes W (E1[a] + E2[b])^2 with features = the squared hidden layer', () => {
    const before = tf.memory().numTensors;
    const m = quadraticMlp(createRng(0), { vocab: 7, numClasses: 7, width: 16 });
    const w = m.namedWeights();
    expect(Object.keys(w)).toEqual(['embed_a.weight', 'embed_b.weight', 'out.weight']);
    expect(m.lastLayer().weight).toBe(w['out.weight']);
    expect(m.lastLayer().bias).toBeUndefined();
    tf.tidy(() => {
      const ids = tf.tensor2d(
        [
          [1, 2],
          [6, 0],
        ],
        [2, 2],
        'int32',
      );
      const { logits, features } = m.forward(ids);
      const e1 = w['embed_a.weight'].arraySync() as number[][];
      const e2 = w['embed_b.weight'].arraySync() as number[][];
      const h = [e1[1].map((v, j) => (v + e2[2][j]) ** 2), e1[6].map((v, j) => (v + e2[0][j]) ** 2)];
      expect(maxDiff(features, tf.tensor2d(h))).toBeLessThan(1e-5);
      expect(maxDiff(logits, tf.matMul(tf.tensor2d(h), w['out.weight'], false, true))).toBeLessThan(1e-4);
    });
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('initialises with the requested std', () => {
    const std = defaultQuadraticInitStd(128);
    expect(std).toBeCloseTo(0.5 / Math.cbrt(256), 10);
    const m = quadraticMlp(createRng(1), { vocab: 97, numClasses: 97, width: 128, initStd: std });
    const data = Array.from(m.namedWeights()['embed_a.weight'].dataSync() as Float32Array);
    const sd = Math.sqrt(data.reduce((s, v) => s + v * v, 0) / data.length);
    expect(sd).toBeCloseTo(std, 2);
    m.dispose();
  });
});

describe('MLP', () => {
  it('exposes PyTorch-layout weights and penultimate features', async () => {
    const m = mlp(createRng(0), { inputDim: 5, numClasses: 3, hidden: [8, 4], activation: 'tanh' });
    const w = m.namedWeights();
    expect(Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.shape]))).toEqual({
      'layers.0.weight': [8, 5],
      'layers.0.bias': [8],
      'layers.1.weight': [4, 8],
      'layers.1.bias': [4],
      'layers.2.weight': [3, 4],
      'layers.2.bias': [3],
    });
    const last = m.lastLayer();
    expect(last.weight.shape).toEqual([3, 4]);
    tf.tidy(() => {
      const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
      const { logits, features } = m.forward(x);
      expect(features.shape).toEqual([6, 4]);
      const ref = tf.add(tf.matMul(features, last.weight, false, true), last.bias!);
      expect(maxDiff(logits, ref)).toBeLessThan(1e-5);
    });
    const snap = await snapshotWeights(m);
    const m2 = mlp(createRng(9), { inputDim: 5, numClasses: 3, hidden: [8, 4], activation: 'tanh' });
    loadWeights(m2, snap);
    expect(Array.from(m2.namedWeights()['layers.1.weight'].dataSync())).toEqual(Array.from(snap['layers.1.weight'].data));
    m.dispose();
    m2.dispose();
  });

  it('supports every activation and no bias', () => {
    for (const activation of ['relu', 'gelu', 'tanh', 'quadratic'] as const) {
      const m = mlp(createRng(0), { inputDim: 3, numClasses: 2, hidden: [4], activation, bias: false });
      expect(Object.keys(m.namedWeights())).toEqual(['layers.0.weight', 'layers.1.weight']);
      const out = tf.tidy(() => m.forward(tf.ones([2, 3])).logits.arraySync() as number[][]);
      expect(out.flat().every(Number.isFinite)).toBe(true);
      m.dispose();
    }
    expect(() => mlp(createRng(0), { inputDim: 3, numClasses: 2, activation: 'swish' as 'relu' })).toThrow(
      /model.activation must be one of/,
    );
  });
});
