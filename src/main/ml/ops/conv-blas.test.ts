import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { loadBlas } from '../blas';
import { createRng, normalArray } from '../data/prng';
import { oneHotLabels } from '../data/tensors';
import { hvp, installSecondOrderGradients } from '../hessian/second-order';
import { cnn } from '../models/cnn';
import { nativeKernels } from '../native';
import { conv3x3 } from './conv';
import { convOnBlas, setBlasConv } from './conv-blas';
import { softmaxCrossEntropy } from './cross-entropy';
import { setNativePool } from './pool-native';

beforeAll(async () => {
  await initBackend('wasm');
  installSecondOrderGradients();
});
afterEach(() => {
  setBlasConv(true);
  setNativePool(true);
});

// needs the system BLAS and an addon built with im2col.c
const available = !!loadBlas() && !!nativeKernels()?.im2col3x3;

type Shape4 = [number, number, number, number];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The definition in float64: y[b,i,j,o] = sum over (ci, kh, kw) of x[b, i+kh-1, j+kw-1, ci] w[o, ci, kh, kw], zero outside. */
function naiveConv(x: Float64Array, xs: Shape4, w: Float64Array, cout: number): Float64Array {
  const [n, h, wd, c] = xs;
  const y = new Float64Array(n * h * wd * cout);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < wd; j++)
        for (let o = 0; o < cout; o++) {
          let s = 0;
          for (let ci = 0; ci < c; ci++)
            for (let kh = 0; kh < 3; kh++)
              for (let kw = 0; kw < 3; kw++) {
                const si = i + kh - 1;
                const sj = j + kw - 1;
                if (si >= 0 && si < h && sj >= 0 && sj < wd)
                  s += x[((b * h + si) * wd + sj) * c + ci] * w[((o * c + ci) * 3 + kh) * 3 + kw];
              }
          y[((b * h + i) * wd + j) * cout + o] = s;
        }
  return y;
}

const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());
/** The tensors `f` makes, read back as float64 arrays; frees everything it made. */
function read(f: () => tf.Tensor[]): Float64Array[] {
  const ts = tf.tidy(f);
  const out = ts.map(f64);
  tf.dispose(ts);
  return out;
}
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe.skipIf(!available)('conv3x3 on im2col + BLAS (skipped without a system BLAS and a current native build)', () => {
  it.each([
    { xs: [2, 5, 4, 3] as Shape4, cout: 4 },
    { xs: [3, 6, 6, 1] as Shape4, cout: 2 }, // one input channel (the first layer): runs of 3 floats
    { xs: [1, 1, 3, 2] as Shape4, cout: 3 }, // one row: every window clipped above and below
  ])('forward, input and filter gradients of $xs -> $cout channels match a float64 definition and finite differences', ({ xs, cout }) => {
    expect(convOnBlas()).toBe(true);
    const rng = createRng(size(xs) + cout);
    const ws: Shape4 = [cout, xs[3], 3, 3];
    const [xv, wv] = [normalArray(rng, size(xs)), normalArray(rng, size(ws))];
    const dyv = normalArray(rng, size(xs.slice(0, 3)) * cout);
    const [x64, w64] = [Float64Array.from(xv), Float64Array.from(wv)];
    // L(x, w) = sum(conv(x, w) * dy) in float64; linear in each argument, so central differences are exact up to rounding
    const loss = (xa: Float64Array, wa: Float64Array) => naiveConv(xa, xs, wa, cout).reduce((s, v, i) => s + v * dyv[i], 0);
    const fd = (arr: Float64Array, at: () => number) =>
      Float64Array.from(arr, (v, i) => {
        arr[i] = v + 0.5;
        const up = at();
        arr[i] = v - 0.5;
        const down = at();
        arr[i] = v;
        return up - down;
      });
    const fdX = fd(x64, () => loss(x64, w64));
    const fdW = fd(w64, () => loss(x64, w64));
    const before = tf.memory().numTensors;
    const [y, dx, dw] = read(() => {
      const [x, w] = [tf.tensor4d(xv, xs), tf.tensor4d(wv, ws)];
      const dy = tf.tensor4d(dyv, [...xs.slice(0, 3), cout] as Shape4);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv3x3(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
      return [conv3x3(x, w), ...g];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbs(y, naiveConv(x64, xs, w64, cout))).toBeLessThan(1e-5);
    expect(maxAbs(dx, fdX)).toBeLessThan(1e-4);
    expect(maxAbs(dw, fdW)).toBeLessThan(1e-4);
  });

  it('equals the XNNPACK route on the bench layer shape (forward and both gradients)', () => {
    const rng = createRng(4);
    const [xs, ws]: Shape4[] = [
      [8, 14, 14, 16],
      [32, 16, 3, 3],
    ];
    const x = tf.tensor4d(normalArray(rng, size(xs)), xs);
    const w = tf.tensor4d(normalArray(rng, size(ws), 0.1), ws);
    const dy = tf.tensor4d(normalArray(rng, 8 * 14 * 14 * 32), [8, 14, 14, 32]);
    const run = (blas: boolean) => {
      setBlasConv(blas);
      return read(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv3x3(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
        const gIn = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(conv3x3(x, b as tf.Tensor4D, true), dy)))(w);
        return [conv3x3(x, w), ...g, gIn];
      });
    };
    const [fresh, old] = [run(true), run(false)];
    // float32 sums of up to 144 (forward), 288 (dx) and 1568 (dw) terms in different orders
    fresh.forEach((a, i) => expect(maxAbs(a, old[i]) / Math.max(1, ...old[i].map(Math.abs))).toBeLessThan(2e-5));
    tf.dispose([x, w, dy]);
  });

  it('skips the input gradient of the data: no col2im runs when only the weight is differentiated', async () => {
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const kernels = async (f: (b: tf.Tensor) => tf.Tensor) =>
      (await tf.profile(() => tf.grad((b: tf.Tensor) => tf.sum(f(b)))(w))).kernelNames;
    expect(await kernels((b) => conv3x3(x, b as tf.Tensor4D, true))).not.toContain('PlateauCol2im3x3');
    expect(await kernels((b) => conv3x3(tf.square(x), b as tf.Tensor4D))).not.toContain('PlateauCol2im3x3');
    expect(await kernels((b) => conv3x3(conv3x3(x, b as tf.Tensor4D), tf.mul(b, 0.5) as tf.Tensor4D))).toContain('PlateauCol2im3x3');
    tf.dispose([x, w]);
  });

  it('gives the CNN symmetric HVPs equal to those of the XNNPACK and conv-js route', () => {
    const m = cnn(createRng(3), { inputDim: 8 * 8, numClasses: 3, channels: [3, 4], hidden: 5, activation: 'tanh' });
    const rng = createRng(9);
    const x = tf.tensor2d(normalArray(rng, 6 * 64), [6, 64]);
    const y = tf.tensor2d(oneHotLabels(Int32Array.from([0, 1, 2, 0, 1, 2]), 3), [6, 3]);
    const named = m.namedWeights();
    const params = Object.values(named);
    const dirs = (seed: number) => {
      const r = createRng(seed);
      return params.map((p) => tf.tensor(normalArray(r, p.size), p.shape));
    };
    const [u, v] = [dirs(1), dirs(2)];
    const dot = (a: tf.Tensor[], b: tf.Tensor[]) => a.reduce((s, t, i) => s + tf.tidy(() => tf.sum(tf.mul(t, b[i])).dataSync()[0]), 0);
    const loss = () => softmaxCrossEntropy(m.forward(x).logits, y);
    const hv = hvp(loss, params, v);
    const hu = hvp(loss, params, u);
    const scale = Math.max(1, Math.abs(dot(u, hv)));
    expect(Math.abs(dot(u, hv) - dot(v, hu)) / scale).toBeLessThan(1e-4);
    setBlasConv(false);
    setNativePool(false);
    const hvOld = hvp(loss, params, v);
    const diff = hv.map((t, i) => tf.sub(t, hvOld[i]));
    expect(Math.sqrt(dot(diff, diff) / dot(hvOld, hvOld))).toBeLessThan(1e-4);
    tf.dispose([x, y, ...u, ...v, ...hv, ...hu, ...hvOld, ...diff]);
    m.dispose();
  });

  it('native im2col/col2im refuse arrays that do not fit the shape', () => {
    const k = nativeKernels()!;
    expect(() => k.im2col3x3!(new Float32Array(8), new Float32Array(71), 1, 2, 2, 2)).toThrow(/im2col3x3 takes .* matching sizes/);
    expect(() => k.col2im3x3!(new Float32Array(72), new Float32Array(8), 1, 2, 2, 0)).toThrow(/col2im3x3 takes/);
    expect(() => k.im2col3x3!(new Float64Array(8) as unknown as Float32Array, new Float32Array(72), 1, 2, 2, 2)).toThrow(/im2col3x3/);
  });

  it('refuses a weight that does not fit the input by name', () => {
    tf.tidy(() => {
      const [x, w] = [tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, tf.zeros([2, 2, 3, 3]) as tf.Tensor4D];
      expect(() => conv3x3(x, w)).toThrow(/weight 2x2x3x3 does not fit 3 input channels/);
    });
  });
});
