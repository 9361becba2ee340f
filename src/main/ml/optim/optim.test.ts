import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { nativeKernels } from '../native';
import { FUSED_ADAM } from '../ops/wasm-kernels';
import { adam } from './adam';
import { clipByGlobalNorm } from './clip';
import type { Optimizer } from './optimizer';
import { makeSchedule } from './schedule';
import { sgd } from './sgd';

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * f(x) = 0.5 * (x1^2 + 2 x2^2) from x = (1, 1), so grad = (x1, 2 x2). Two steps; returns x.
 */
function twoSteps(make: (params: Record<string, tf.Variable>) => Optimizer, lr: number): number[] {
  const x = tf.variable(tf.tensor1d([1, 1]));
  const opt = make({ x });
  for (let i = 0; i < 2; i++) {
    const g = tf.tidy(() => tf.mul(x, tf.tensor1d([1, 2])));
    opt.step({ x: g }, lr);
    g.dispose();
  }
  const out = Array.from(x.dataSync());
  opt.dispose();
  x.dispose();
  return out;
}

const close = (actual: number[], expected: number[], digits = 5) => expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));

describe('optimizers against hand-computed steps', () => {
  it('plain SGD: x -= lr g', () => {
    // step 1: (1,1) - 0.1(1,2) = (0.9, 0.8); step 2: - 0.1(0.9, 1.6) = (0.81, 0.64)
    close(
      twoSteps((p) => sgd(p), 0.1),
      [0.81, 0.64],
    );
  });

  it('SGD momentum 0.9 (buffer starts at the first gradient)', () => {
    // step 1: buf = (1,2), x = (0.9, 0.8); step 2: g = (0.9, 1.6), buf = (1.8, 3.4), x = (0.72, 0.46)
    close(
      twoSteps((p) => sgd(p, { momentum: 0.9 }), 0.1),
      [0.72, 0.46],
    );
  });

  it('SGD Nesterov 0.9', () => {
    // step 1: buf = (1,2), dir = g + 0.9 buf = (1.9, 3.8), x = (0.81, 0.62)
    // step 2: g = (0.81, 1.24), buf = (1.71, 3.04), dir = (2.349, 3.976), x = (0.5751, 0.2224)
    close(
      twoSteps((p) => sgd(p, { momentum: 0.9, nesterov: true }), 0.1),
      [0.5751, 0.2224],
    );
  });

  it('SGD weight decay is coupled L2', () => {
    // wd 0.5: g' = g + 0.5 x. step 1: (1.5, 2.5) -> (0.85, 0.75); step 2: g' = (1.275, 1.875) -> (0.7225, 0.5625)
    close(
      twoSteps((p) => sgd(p, { weightDecay: 0.5 }), 0.1),
      [0.7225, 0.5625],
    );
  });

  it('Adam', () => {
    // step 1: m_hat = g, v_hat = g^2 -> x -= 0.1 * sign -> (0.9, 0.9)
    // step 2: g = (0.9, 1.8), m = (0.18, 0.36), v = (0.001809, 0.007236), bc1 = 0.19, bc2 = 0.001999
    close(
      twoSteps((p) => adam(p), 0.1),
      [0.8004122297, 0.8004122287],
      5,
    );
  });

  it('AdamW decays decoupled (p -= lr wd p first), unlike Adam + L2', () => {
    // AdamW step 1: x = 0.95 - 0.1 = 0.85 in both coordinates; Adam+L2 step 1 stays at 0.9
    const w = twoSteps((p) => adam(p, { weightDecay: 0.5, decoupled: true }), 0.1);
    const l2 = twoSteps((p) => adam(p, { weightDecay: 0.5, decoupled: false }), 0.1);
    close(w, [0.7082484444, 0.7082484434], 5);
    close(l2, [0.800412229, 0.8004122285], 5);
    expect(Math.abs(w[0] - l2[0])).toBeGreaterThan(0.05);
  });

  it('exposes and restores state exactly', async () => {
    const x = tf.variable(tf.tensor1d([1, 1]));
    const opt = adam({ x });
    const g = tf.tensor1d([1, 2]);
    opt.step({ x: g }, 0.1);
    const state = await opt.getState();
    expect(state.step).toBe(1);
    expect(Object.keys(state.slots).sort()).toEqual(['x.exp_avg', 'x.exp_avg_sq']);
    close(Array.from(state.slots['x.exp_avg'].data), [0.1, 0.2]);
    const y = tf.variable(tf.tensor1d([0.9, 0.9]));
    const opt2 = adam({ x: y });
    opt2.setState(state);
    opt.step({ x: g }, 0.1);
    opt2.step({ x: g }, 0.1);
    close(Array.from(y.dataSync()), Array.from(x.dataSync()), 6);
    tf.dispose([x, y, g]);
    opt.dispose();
    opt2.dispose();
  });
});

describe('the native fused Adam step (skipped where native/kernels is not built)', () => {
  const native = nativeKernels();
  it.skipIf(!native)('takes over on wasm and equals the element-wise route (the cpu backend) to float rounding', async () => {
    expect(tf.getKernel(FUSED_ADAM, 'wasm')).toBeDefined();
    const run = async (backend: string, decoupled: boolean) => {
      await tf.setBackend(backend);
      const p = tf.variable(tf.tensor1d(Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i))));
      const opt = adam({ p }, { weightDecay: 0.3, decoupled, beta2: 0.98 });
      for (let step = 0; step < 3; step++) {
        const g = tf.tensor1d(Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i * (step + 1))));
        opt.step({ p: g }, 0.01);
        g.dispose();
      }
      const out = Array.from(p.dataSync());
      opt.dispose();
      p.dispose();
      return out;
    };
    for (const decoupled of [false, true]) {
      const fused = await run('wasm', decoupled);
      const composite = await run('cpu', decoupled);
      fused.forEach((v, i) => expect(v).toBeCloseTo(composite[i], 6));
    }
    await tf.setBackend('wasm');
  });

  it.skipIf(!native)('refuses operands of different lengths instead of reading past one', () => {
    const a = new Float32Array(4);
    expect(() => native!.adam(a, a, a, new Float32Array(3), a, a, a, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.03, 0, 1)).toThrow(/one length/);
  });
});

describe('schedules', () => {
  it('constant, warm-up, cosine and step', () => {
    expect(makeSchedule({ kind: 'constant' }, 0.1, 100)(50)).toBe(0.1);
    const warm = makeSchedule({ kind: 'linear-warmup', warmupSteps: 4 }, 1, 100);
    expect([0, 1, 2, 3, 4, 50].map(warm)).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
    const cos = makeSchedule({ kind: 'cosine', warmupSteps: 0, minFactor: 0 }, 1, 100);
    expect(cos(0)).toBeCloseTo(1);
    expect(cos(50)).toBeCloseTo(0.5);
    expect(cos(100)).toBeCloseTo(0);
    const step = makeSchedule({ kind: 'step', warmupSteps: 0, stepSize: 10, gamma: 0.5 }, 1, 100);
    expect([0, 9, 10, 25].map(step)).toEqual([1, 1, 0.5, 0.25]);
  });
});

describe('gradient clipping', () => {
  it('scales to the global norm and leaves small gradients alone', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // global norm 5
    const clipped = clipByGlobalNorm(grads, 1);
    expect(clipped.norm.dataSync()[0]).toBeCloseTo(5);
    close(Array.from(clipped.grads.a.dataSync()), [0.6, 0]);
    close(Array.from(clipped.grads.b.dataSync()), [0, 0.8]);
    const loose = clipByGlobalNorm(grads, 10);
    close(Array.from(loose.grads.b.dataSync()), [0, 4]);
    tf.dispose([grads, clipped, loose] as unknown as tf.Tensor[]);
  });
});
