import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng, normalArray } from '../data/prng';
import { hvp, installSecondOrderGradients } from '../hessian/second-order';
import { nativeKernels } from '../native';
import { maxPool2x2 } from './conv';
import { poolNative, setNativePool } from './pool-native';

beforeAll(async () => {
  await initBackend('wasm');
  installSecondOrderGradients();
});
afterEach(() => void setNativePool(true));

// needs an addon built with maxpool.c
const available = !!nativeKernels()?.maxpool2x2;

type Shape4 = [number, number, number, number];

/** Flat index into x of each window's first maximum, window order (0,0), (0,1), (1,0), (1,1): the definition. */
function argmaxes(x: Float32Array, [n, h, w, c]: Shape4): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i += 2)
      for (let j = 0; j < w; j += 2)
        for (let ci = 0; ci < c; ci++) {
          const at = [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ].map(([di, dj]) => ((b * h + i + di) * w + j + dj) * c + ci);
          out.push(at.reduce((best, p) => (x[p] > x[best] ? p : best), at[0]));
        }
  return out;
}

describe.skipIf(!available)('maxPool2x2 on the native kernels (skipped without a current native build)', () => {
  it('pools and routes the gradient to the first maximum of each window (ties included)', () => {
    expect(poolNative()).toBe(true);
    const shape: Shape4 = [2, 4, 6, 3];
    // values rounded to a few levels: many windows hold tied maxima
    const xv = Float32Array.from(normalArray(createRng(1), 144), (v) => Math.round(v));
    const gv = normalArray(createRng(2), 36);
    const idx = argmaxes(xv, shape);
    const [y, dx] = tf.tidy(() => {
      const x = tf.tensor4d(xv, shape);
      const g = tf.tensor4d(gv, [2, 2, 3, 3]);
      return [maxPool2x2(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(a as tf.Tensor4D), g)))(x)];
    });
    expect(Array.from(y.dataSync())).toEqual(idx.map((p) => xv[p]));
    const want = new Float32Array(144);
    idx.forEach((p, k) => (want[p] = gv[k]));
    expect(Array.from(dx.dataSync())).toEqual(Array.from(want));
    tf.dispose([y, dx]);
  });

  it('gives the same HVPs as the conv-js route, symmetric ones (second derivatives through pooling)', () => {
    const rng = createRng(3);
    const x = tf.tensor4d(normalArray(rng, 2 * 4 * 4 * 3), [2, 4, 4, 3]);
    const w = tf.variable(tf.tensor2d(normalArray(rng, 9), [3, 3]));
    // the mixing before the pool makes the maxima depend on w; tanh and square give curvature
    const loss = () =>
      tf.tidy(() => {
        const z = tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), w), [2, 4, 4, 3]) as tf.Tensor4D;
        return tf.sum(tf.square(tf.tanh(maxPool2x2(z)))) as tf.Scalar;
      });
    const [u, v] = [tf.tensor2d(normalArray(rng, 9), [3, 3]), tf.tensor2d(normalArray(rng, 9), [3, 3])];
    const dot = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]);
    const [hv] = hvp(loss, [w], [v]);
    const [hu] = hvp(loss, [w], [u]);
    expect(Math.abs(dot(u, hv) - dot(v, hu))).toBeLessThan(1e-4 * Math.max(1, Math.abs(dot(u, hv))));
    setNativePool(false);
    const [hvJs] = hvp(loss, [w], [v]);
    const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
    expect(maxAbs(hvJs)).toBeGreaterThan(1e-3); // a real curvature, not two zeros
    expect(maxAbs(tf.sub(hv, hvJs))).toBeLessThan(1e-5 * Math.max(1, maxAbs(hv)));
    tf.dispose([x, w, u, v, hv, hu, hvJs]);
  });

  it('native maxpool2x2 refuses odd sizes, bad modes and short arrays', () => {
    const k = nativeKernels()!;
    const a = new Float32Array(16);
    expect(() => k.maxpool2x2!(0, a, a, new Float32Array(4), 1, 3, 4, 1)).toThrow(/even h and w/);
    expect(() => k.maxpool2x2!(3 as 0, a, a, new Float32Array(4), 1, 4, 4, 1)).toThrow(/mode 0..2/);
    expect(() => k.maxpool2x2!(2, a, a, new Float32Array(15), 1, 4, 4, 1)).toThrow(/do not fit/);
  });
});
