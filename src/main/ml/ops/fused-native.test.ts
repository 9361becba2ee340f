import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { loadBlas } from '../blas';
import { createRng, normalArray } from '../data/prng';
import { hvp } from '../hessian/second-order';
import { gpt } from '../models/gpt';
import { nativeKernels } from '../native';
import { fusedCausalSelfAttention } from './attention-native';
import { softmaxCrossEntropy } from './cross-entropy';
import { fusedCrossEntropyValue, fusedNative, fusedTrainingCrossEntropy, gelu, layerNorm, setFusedNative } from './fused-native';
import { evaluationLoss } from './loss';

beforeAll(async () => {
  await initBackend('wasm');
});

// the addon of this checkout (PLATEAU_NATIVE) may predate the fused kernels: then there is nothing to test
const native = nativeKernels();
const hasFused = !!native?.gelu && !!native.layerNorm && !!native.softmaxXent;
const hasAttention = hasFused && !!native?.attentionForward && !!loadBlas();

const rng = createRng(11);
// plain float64 arrays: central differences need steps finer than float32 resolves
const randn = (size: number, scale = 1, shift = 0) => Array.from(normalArray(rng, size), (v) => v * scale + shift);
const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
};

/** Central float64 differences of f at x, one coordinate at a time. */
function numericGrad(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const [up, down] = [x.slice(), x.slice()];
    up[i]! += h;
    down[i]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** sum(w * f(x)) and its gradient in x through tfjs, as float64 arrays. */
function weightedGrad(f: (x: tf.Tensor2D) => tf.Tensor, x: number[], shape: [number, number], w: number[]) {
  return tf.tidy(() => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor2D), tf.tensor(w, shape))))(tf.tensor2d(x, shape));
    return Array.from(g.dataSync());
  });
}

const C = Math.sqrt(2 / Math.PI);
const gelu64 = (v: number) => 0.5 * v * (1 + Math.tanh(C * (v + 0.044715 * v ** 3)));

/** LayerNorm of rows of d in float64, PyTorch's eps. */
function layerNorm64(x: number[], g: number[], b: number[], d: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const m = row.reduce((a, v) => a + v, 0) / d;
    const v = row.reduce((a, u) => a + (u - m) ** 2, 0) / d;
    row.forEach((u, j) => out.push(((u - m) / Math.sqrt(v + 1e-5)) * g[j]! + b[j]!));
  }
  return out;
}

describe.skipIf(!hasFused)('fused native kernels (skipped with an addon that predates them)', () => {
  it('serve on wasm', () => expect(fusedNative()).toBe(true));

  it('GELU and its gradient equal the float64 formula and its central differences, also where tanh saturates', () => {
    const x = [...Array.from({ length: 97 }, (_, i) => -12 + i * 0.25), 1e-6, -3e-4, 0];
    const y = tf.tidy(() => Array.from(gelu(tf.tensor2d(x, [1, x.length])).dataSync()));
    expect(maxRel(y, x.map(gelu64))).toBeLessThan(2e-6);
    const w = randn(x.length);
    const want = x.map((v, i) => w[i]! * numericGrad(([u]) => gelu64(u!), [v])[0]!);
    expect(maxRel(weightedGrad(gelu, x, [1, x.length], w), want)).toBeLessThan(1e-5);
  });

  it('LayerNorm and its gradients in x, gain and bias equal the float64 definition and its central differences', () => {
    const [rows, d] = [5, 13];
    const [x, g, b, w] = [randn(rows * d, 2, 3), randn(d, 0.5, 1), randn(d), randn(rows * d)];
    const y = tf.tidy(() => Array.from(layerNorm(tf.tensor2d(x, [rows, d]), tf.tensor1d(g), tf.tensor1d(b)).dataSync()));
    expect(maxRel(y, layerNorm64(x, g, b, d))).toBeLessThan(2e-6);
    const loss = (xx: number[], gg: number[], bb: number[]) => layerNorm64(xx, gg, bb, d).reduce((a, v, i) => a + v * w[i]!, 0);
    const [gx, gg, gb] = tf.tidy(() => {
      const f = (xx: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(xx as tf.Tensor2D, gt, bt), tf.tensor(w, [rows, d])));
      return tf
        .grads(f)([tf.tensor2d(x, [rows, d]), tf.tensor1d(g), tf.tensor1d(b)])
        .map((t) => Array.from(t.dataSync()));
    });
    expect(
      maxRel(
        gx!,
        numericGrad((v) => loss(v, g, b), x),
      ),
    ).toBeLessThan(1e-5);
    expect(
      maxRel(
        gg!,
        numericGrad((v) => loss(x, v, b), g),
      ),
    ).toBeLessThan(1e-5);
    expect(
      maxRel(
        gb!,
        numericGrad((v) => loss(x, g, v), b),
      ),
    ).toBeLessThan(1e-5);
  });

  it('the training cross-entropy and its gradient equal the float64 definition and its central differences', () => {
    const [rows, c] = [6, 9];
    const z = randn(rows * c, 3);
    const labels = Array.from({ length: rows }, (_, i) => (i * 5) % c);
    const y = Array.from({ length: rows * c }, (_, i) => (labels[Math.floor(i / c)] === i % c ? 1 : 0));
    const ce64 = (zz: number[]) => {
      let s = 0;
      for (let r = 0; r < rows; r++) {
        const row = zz.slice(r * c, (r + 1) * c);
        const m = Math.max(...row);
        s += m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) - row[labels[r]!]!;
      }
      return s / rows;
    };
    const [value, grad] = tf.tidy(() => {
      const yt = tf.tensor2d(y, [rows, c]);
      const { value: v, grad: g } = tf.valueAndGrad((t: tf.Tensor) => fusedTrainingCrossEntropy(t as tf.Tensor2D, yt)!)(
        tf.tensor2d(z, [rows, c]),
      );
      return [v.dataSync()[0]!, Array.from(g.dataSync())];
    });
    expect(Math.abs(value - ce64(z))).toBeLessThan(1e-6);
    expect(maxRel(grad, numericGrad(ce64, z))).toBeLessThan(1e-5);
    // and the tfjs route gives the same
    const composite = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(z, [rows, c]), tf.tensor2d(y, [rows, c])).dataSync()[0]!);
    expect(Math.abs(value - composite)).toBeLessThan(1e-5);
    // evaluation's value-only form: the same number; none while a tape records (Hessian code needs the tfjs ops)
    const evaluated = tf.tidy(() => evaluationLoss('ce')(tf.tensor2d(z, [rows, c]), tf.tensor2d(y, [rows, c])).dataSync()[0]!);
    expect(Math.abs(evaluated - ce64(z))).toBeLessThan(1e-6);
    const zt = tf.tensor2d(z, [rows, c]);
    const taped = tf.grad((t: tf.Tensor) => {
      expect(fusedCrossEntropyValue(t as tf.Tensor2D, tf.tensor2d(y, [rows, c]))).toBeNull();
      return tf.sum(t);
    })(zt);
    tf.dispose([zt, taped]);
  });

  // T = 5 and 3 heads of width 4: nothing a power of two; T = 70: three blocks of queries (32, 32, 6)
  it.skipIf(!hasAttention).each([
    [2, 5, 12, 3],
    [1, 70, 8, 2],
  ])(
    'causal self-attention on qkv (n %i, T %i, d %i, %i heads) and its gradient equal float64 attention and its differences',
    (n, T, d, heads) => {
      const dh = d / heads;
      const qkv = randn(n * T * 3 * d);
      const at = (x: number[], b: number, t: number, part: number, c: number) => x[(b * T + t) * 3 * d + part * d + c]!;
      const attention64 = (x: number[]) => {
        const out = new Array<number>(n * T * d).fill(0);
        for (let b = 0; b < n; b++)
          for (let h = 0; h < heads; h++)
            for (let i = 0; i < T; i++) {
              const s = Array.from({ length: i + 1 }, (_, j) => {
                let dot = 0;
                for (let c = 0; c < dh; c++) dot += at(x, b, i, 0, h * dh + c) * at(x, b, j, 1, h * dh + c);
                return dot / Math.sqrt(dh);
              });
              const m = Math.max(...s);
              const e = s.map((v) => Math.exp(v - m));
              const z = e.reduce((a, v) => a + v, 0);
              for (let c = 0; c < dh; c++)
                out[(b * T + i) * d + h * dh + c] = e.reduce((a, v, j) => a + (v / z) * at(x, b, j, 2, h * dh + c), 0);
            }
        return out;
      };
      const y = tf.tidy(() => Array.from(fusedCausalSelfAttention(tf.tensor2d(qkv, [n * T, 3 * d]), n, T, heads)!.dataSync()));
      expect(maxRel(y, attention64(qkv))).toBeLessThan(2e-6);
      const w = randn(n * T * d);
      const grad = tf.tidy(() => {
        const f = (t: tf.Tensor) => tf.sum(tf.mul(fusedCausalSelfAttention(t as tf.Tensor2D, n, T, heads)!, tf.tensor2d(w, [n * T, d])));
        return Array.from(
          tf
            .grad(f)(tf.tensor2d(qkv, [n * T, 3 * d]))
            .dataSync(),
        );
      });
      // derivatives along random directions: <grad, u> against central float64 differences of <w, attention(qkv + h u)>
      const loss = (x: number[]) => attention64(x).reduce((a, v, i) => a + v * w[i]!, 0);
      for (let r = 0; r < 3; r++) {
        const u = randn(qkv.length);
        const [want] = numericGrad(([t]) => loss(qkv.map((v, i) => v + t! * u[i]!)), [0]);
        const got = grad.reduce((a, g, i) => a + g * u[i]!, 0);
        expect(Math.abs(got - want!) / Math.max(1, Math.abs(want!))).toBeLessThan(1e-5);
      }
    },
  );

  it('a GPT has the same loss gradient and Hessian-vector product with the fused kernels as with the tfjs ops', () => {
    const model = gpt(createRng(3), { vocab: 7, length: 6, dModel: 8, heads: 2, layers: 2 });
    const x = tf.tensor2d(
      Array.from({ length: 18 }, (_, i) => (i * 3) % 7),
      [3, 6],
      'int32',
    );
    const y = tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: 18 }, (_, i) => (i * 5 + 1) % 7),
          'int32',
        ),
        7,
      )
      .toFloat() as tf.Tensor2D;
    const params = Object.values(model.namedWeights());
    const v = params.map((p) => tf.tensor(randn(p.size), p.shape));
    const loss = () => softmaxCrossEntropy(model.forward(x).logits, y);
    const run = (on: boolean) => {
      const was = setFusedNative(on);
      try {
        const g = tf.tidy(() =>
          tf
            .grads(loss)(params)
            .map((t) => Array.from(t.dataSync())),
        );
        const h = tf.tidy(() => hvp(loss, params, v).map((t) => Array.from(t.dataSync())));
        return { g, h };
      } finally {
        setFusedNative(was);
      }
    };
    const [fused, tfjs] = [run(true), run(false)];
    fused.g.forEach((g, i) => expect(maxRel(g, tfjs.g[i]!)).toBeLessThan(1e-5));
    fused.h.forEach((h, i) => expect(maxRel(h, tfjs.h[i]!)).toBeLessThan(1e-4));
    tf.dispose([x, y, ...v]);
    model.dispose();
  });
});
