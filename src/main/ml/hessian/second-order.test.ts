import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng, normalArray } from '../data/prng';
import { oneHotLabels } from '../data/tensors';
import { mlp } from '../models/mlp';
import { quadraticMlp } from '../models/quadratic-mlp';
import type { Model } from '../models/model';
import { softmaxCrossEntropy } from '../ops/cross-entropy';
import { gradient, hvp, installSecondOrderGradients } from './second-order';

beforeAll(async () => {
  await initBackend('wasm');
  installSecondOrderGradients();
});

const flat = (ts: tf.Tensor[]) => Float64Array.from(ts.flatMap((t) => Array.from(t.dataSync())));
const dotArr = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const normArr = (a: Float64Array) => Math.sqrt(dotArr(a, a));

function denseData(n: number, d: number, C: number, seed: number) {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(C));
  return { x: tf.tensor2d(normalArray(rng, n * d), [n, d]), y: tf.tensor2d(oneHotLabels(labels, C), [n, C]) };
}

const lossOf = (model: Model, x: tf.Tensor2D, y: tf.Tensor2D) => () => softmaxCrossEntropy(model.forward(x).logits, y);

describe('re-registered gradients are exact to second order', () => {
  it('matches analytic second derivatives of exp, tanh, sigmoid and softmax', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([-1.5, -0.2, 0.3, 1.1]);
      const second = (f: (t: tf.Tensor) => tf.Tensor) =>
        tf
          .grad((a: tf.Tensor) => tf.sum(tf.grad((b: tf.Tensor) => tf.sum(f(b)))(a)))(x)
          .dataSync();
      const xs = Array.from(x.dataSync());
      const close = (got: ArrayLike<number>, want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 4));
      close(second(tf.exp), xs.map(Math.exp));
      close(
        second(tf.tanh),
        xs.map((t) => -2 * Math.tanh(t) * (1 - Math.tanh(t) ** 2)),
      );
      const sig = (t: number) => 1 / (1 + Math.exp(-t));
      close(
        second(tf.sigmoid),
        xs.map((t) => sig(t) * (1 - sig(t)) * (1 - 2 * sig(t))),
      );
      // Hessian of p_0 = softmax(x)_0 applied to w, against d2 p0 / dx_j dx_k written out by hand
      const p = Array.from(tf.softmax(x).dataSync());
      const w = [1, 2, 3, 4];
      const wt = tf.tensor1d(w);
      const hw = tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.grad((b: tf.Tensor) => tf.sum(tf.slice(tf.softmax(b), [0], [1])))(a), wt)))(x)
        .dataSync();
      const d = (i: number, j: number) => (i === j ? 1 : 0);
      const h = (j: number, k: number) => p[0] * (d(0, k) - p[k]) * (d(0, j) - p[j]) - p[0] * p[j] * (d(j, k) - p[k]);
      close(
        hw,
        [0, 1, 2, 3].map((j) => w.reduce((s, wk, k) => s + h(j, k) * wk, 0)),
      );
    });
  });

  it('leaves first-order gradients unchanged', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([-0.7, 0.4]);
      const g = tf
        .grad((a: tf.Tensor) => tf.sum(tf.tanh(tf.exp(a))))(x)
        .dataSync();
      const xs = [-0.7, 0.4];
      xs.forEach((t, i) => expect(g[i]).toBeCloseTo((1 - Math.tanh(Math.exp(t)) ** 2) * Math.exp(t), 5));
    });
  });
});

describe('hvp', () => {
  for (const activation of ['tanh', 'relu', 'gelu'] as const) {
    it(`is symmetric and matches central differences of the gradient (MLP, ${activation})`, () => {
      const model = mlp(createRng(3), { inputDim: 5, numClasses: 3, hidden: [7, 6], activation });
      const { x, y } = denseData(32, 5, 3, 4);
      const params = Object.values(model.namedWeights());
      const loss = lossOf(model, x, y);
      const rng = createRng(9);
      const u = params.map((p) => tf.tensor(normalArray(rng, p.size), p.shape));
      const v = params.map((p) => tf.tensor(normalArray(rng, p.size), p.shape));
      try {
        const hu = flat(hvp(loss, params, u));
        const hv = flat(hvp(loss, params, v));
        const uf = flat(u);
        const vf = flat(v);
        const a = dotArr(uf, hv);
        const b = dotArr(vf, hu);
        expect(Math.abs(a - b)).toBeLessThan(1e-4 * Math.max(Math.abs(a), 1e-3));
        // (g(θ + εv) - g(θ - εv)) / 2ε; relu has kinks, so only the smooth activations are held to it
        if (activation !== 'relu') {
          const eps = 1e-2;
          const orig = params.map((p) => p.clone());
          const shifted = (sign: number) => {
            params.forEach((p, i) => p.assign(tf.add(orig[i], tf.mul(v[i], sign * eps))));
            const g = gradient(loss, params);
            const f = flat(g);
            tf.dispose(g);
            return f;
          };
          const gp = shifted(1);
          const gm = shifted(-1);
          params.forEach((p, i) => p.assign(orig[i]));
          tf.dispose(orig);
          const fd = gp.map((g, i) => (g - gm[i]) / (2 * eps));
          const err = normArr(fd.map((g, i) => g - hv[i]));
          expect(err / normArr(hv)).toBeLessThan(2e-3);
        }
      } finally {
        tf.dispose([...u, ...v, x, y]);
        model.dispose();
      }
    });
  }

  it('works on a parameter subset and on the token model (quadratic MLP)', () => {
    const model = quadraticMlp(createRng(1), { vocab: 7, numClasses: 7, width: 8 });
    const rng = createRng(2);
    const ids = Int32Array.from({ length: 2 * 20 }, () => rng.int(7));
    const labels = Int32Array.from({ length: 20 }, (_, i) => (ids[2 * i] + ids[2 * i + 1]) % 7);
    const x = tf.tensor2d(ids, [20, 2], 'int32');
    const y = tf.tensor2d(oneHotLabels(labels, 7), [20, 7]);
    const named = model.namedWeights();
    const loss = lossOf(model, x, y);
    try {
      for (const params of [Object.values(named), [named['embed_a.weight']]]) {
        const u = params.map((p) => tf.tensor(normalArray(rng, p.size), p.shape));
        const v = params.map((p) => tf.tensor(normalArray(rng, p.size), p.shape));
        const hu = hvp(loss, params, u);
        const hv = hvp(loss, params, v);
        hu.forEach((t, i) => expect(t.shape).toEqual(params[i].shape));
        const a = dotArr(flat(u), flat(hv));
        const b = dotArr(flat(v), flat(hu));
        expect(Math.abs(a - b)).toBeLessThan(1e-4 * Math.max(Math.abs(a), 1e-3));
        expect(Math.abs(a)).toBeGreaterThan(0);
        tf.dispose([...u, ...v, ...hu, ...hv]);
      }
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('rejects mismatched directions and leaks no tensors', () => {
    const model = mlp(createRng(3), { inputDim: 3, numClasses: 2, hidden: [4] });
    const { x, y } = denseData(8, 3, 2, 1);
    const params = Object.values(model.namedWeights());
    const loss = lossOf(model, x, y);
    const v = params.map((p) => tf.onesLike(p));
    try {
      expect(() => hvp(loss, params, v.slice(1))).toThrow(/direction/);
      expect(() => hvp(loss, params, [v[1], ...v.slice(1)])).toThrow(/shape/);
      tf.dispose(hvp(loss, params, v));
      const before = tf.memory().numTensors;
      tf.dispose(hvp(loss, params, v));
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose([...v, x, y]);
      model.dispose();
    }
  });
});
