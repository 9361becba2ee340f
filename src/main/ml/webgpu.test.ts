import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../shared/domain/train-config';
import { initBackend } from './backend';
import { installSecondOrderGradients } from './hessian/second-order';
import { train, type EpochLog } from './train';

/**
 * WebGPU (Dawn) for correctness, on whatever adapter exists: CI has Mesa's software Vulkan
 * (lavapipe, bookworm-backports); without any adapter this says so and skips. Its own file: the
 * backend it starts stays out of the other tests.
 */
const config: TrainConfigInput = {
  dataset: { kind: 'modular', p: 13, op: 'a+b', trainFraction: 0.5 },
  model: { kind: 'mlp', hidden: [32], activation: 'relu' },
  optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 0.1 },
  epochs: 4,
  seed: 3,
};

const transformer: TrainConfigInput = {
  ...config,
  model: { kind: 'transformer', layers: 1, dModel: 16, heads: 2, mlpWidth: 32 },
  epochs: 3,
};

async function losses(c: TrainConfigInput): Promise<number[]> {
  const logs: EpochLog[] = [];
  await train(c, { onEpoch: (l) => void logs.push(l) });
  return logs.flatMap((l) => [l.train_loss, l.test_loss]);
}

describe('webgpu', () => {
  it('trains an MLP and a transformer exactly as the cpu backend does, to float tolerance', async (ctx) => {
    const info = await initBackend('webgpu');
    if (info.name !== 'webgpu') return ctx.skip(`no WebGPU adapter here (fell back to ${info.name})`);
    const gpu = [await losses(config), await losses(transformer)];
    await initBackend('cpu');
    const cpu = [await losses(config), await losses(transformer)];
    gpu.forEach((run, r) => {
      expect(run.every(Number.isFinite)).toBe(true);
      run.forEach((v, i) => expect(v).toBeCloseTo(cpu[r][i], 3));
    });
  }, 120_000);

  it('an HVP on webgpu matches the cpu backend (second-order gradients hold there too)', async (ctx) => {
    const info = await initBackend('webgpu');
    if (info.name !== 'webgpu') return ctx.skip(`no WebGPU adapter here (fell back to ${info.name})`);
    installSecondOrderGradients();
    const hvp = async () => {
      const hv = tf.tidy(() => {
        const w = tf.tensor2d([
          [0.3, -0.2, 0.5],
          [0.1, 0.4, -0.6],
        ]);
        const x = tf.tensor2d([
          [1, 2],
          [-1, 0.5],
          [0.2, -0.3],
          [2, 1],
        ]);
        const v = tf.tensor2d([
          [1, 0, -1],
          [0.5, 2, 0],
        ]);
        const f = (ww: tf.Tensor) => tf.mean(tf.softplus(tf.matMul(x, ww as tf.Tensor2D))) as tf.Scalar;
        const gv = (ww: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(ww), v)) as tf.Scalar;
        return tf.grad(gv)(w);
      });
      const out = Array.from(await hv.data());
      hv.dispose();
      return out;
    };
    const gpu = await hvp();
    await initBackend('cpu');
    (await hvp()).forEach((c, i) => expect(gpu[i]).toBeCloseTo(c, 5));
  }, 120_000);
});
