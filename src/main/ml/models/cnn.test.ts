import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_FASHION_MNIST_DIR } from '../../../shared/domain/presets';
import { initBackend } from '../backend';
import { createRng } from '../data/prng';
import { modelHessianMetrics } from '../hessian/model-metrics';
import { linear } from '../ops/matmul';
import { train, type EpochLog } from '../train';
import { cnn, imageShape } from './cnn';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const hasFashionMnist = existsSync(`${DEBIAN_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`);

describe('CNN', () => {
  it('exposes PyTorch-layout weights, penultimate features and the last layer', () => {
    const before = tf.memory().numTensors;
    const m = cnn(createRng(0), { inputDim: 28 * 28, numClasses: 10, channels: [4, 8], hidden: 16 });
    const shapes = Object.fromEntries(Object.entries(m.namedWeights()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'conv1.weight': [4, 1, 3, 3],
      'conv1.bias': [4],
      'conv2.weight': [8, 4, 3, 3],
      'conv2.bias': [8],
      'fc.weight': [16, 8 * 7 * 7],
      'fc.bias': [16],
      'out.weight': [10, 16],
      'out.bias': [10],
    });
    expect(m.lastLayer().weight).toBe(m.namedWeights()['out.weight']);
    tf.tidy(() => {
      const { logits, features } = m.forward(tf.randomUniform([3, 784], 0, 1, 'float32', 1) as tf.Tensor2D);
      expect(logits.shape).toEqual([3, 10]);
      expect(features.shape).toEqual([3, 16]);
      const { weight, bias } = m.lastLayer();
      expect(maxDiff(logits, tf.add(linear(features, weight as tf.Tensor2D), bias!))).toBeLessThan(1e-5);
    });
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('infers or checks the image shape', () => {
    expect(imageShape(784)).toEqual([28, 28, 1]);
    expect(imageShape(32 * 32 * 3)).toEqual([32, 32, 3]);
    expect(imageShape(12, [2, 6, 1])).toEqual([2, 6, 1]);
    expect(() => imageShape(10)).toThrow(/model.inputShape/);
    expect(() => imageShape(12, [2, 2, 2])).toThrow(/has 8 values/);
    expect(() => cnn(createRng(0), { inputDim: 36, numClasses: 2, channels: [2, 2] })).toThrow(/divisible by 4/);
  });

  it('has exact Hessian metrics (HVPs through conv and pool)', () => {
    const m = cnn(createRng(3), { inputDim: 8 * 8, numClasses: 3, channels: [2, 3], hidden: 4, activation: 'tanh' });
    const x = tf.randomUniform([6, 64], 0, 1, 'float32', 2) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const yOneHot = tf.oneHot(y, 3).toFloat() as tf.Tensor2D;
    const r = modelHessianMetrics(m, { x, yOneHot }, ['hessian_top_eig', 'hessian_trace_hutch'], { seed: 0, maxIter: 200, tol: 1e-4 });
    expect(r.params.names[0]).toBe('conv1.weight');
    expect(r.hessian_top_eig!.value).toBeGreaterThan(0);
    expect(Number.isFinite(r.hessian_trace_hutch!.value)).toBe(true);
    tf.dispose([x, y, yOneHot]);
    m.dispose();
  });

  it.skipIf(!hasFashionMnist)('reduces the loss on a Fashion-MNIST subset in a few steps (needs apt dataset-fashion-mnist)', async () => {
    const logs: EpochLog[] = [];
    const s = await train(
      {
        dataset: { kind: 'idx', dir: DEBIAN_FASHION_MNIST_DIR, trainSize: 256, testSize: 128, classBalanced: true },
        model: { kind: 'cnn', channels: [8, 16], hidden: 32 },
        optimizer: { kind: 'adam', lr: 2e-3 },
        batchSize: 64,
        epochs: 3,
        checkpoints: { firstAndLast: false },
      },
      { onEpoch: (l) => void logs.push(l) },
    );
    expect(s.status).toBe('succeeded');
    expect(s.steps).toBe(12);
    expect(logs[2].train_loss).toBeLessThan(0.8 * logs[0].train_loss);
    expect(logs[2].train_acc).toBeGreaterThan(0.5);
  });
});
