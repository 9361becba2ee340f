import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng, normalArray } from '../data/prng';
import { oneHotLabels } from '../data/tensors';
import { computeSplitMetrics } from '../metrics/closed-form';
import { mlp } from '../models/mlp';
import type { Model } from '../models/model';
import { exactTrace, layerKappa } from './kappa';
import { datasetHessian, denseMatrix, transposedOperator } from './operator';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('layer kappa through HVPs', () => {
  let model: Model;
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  let labels: Int32Array;
  const n = 64;

  beforeAll(async () => {
    await initBackend('wasm');
    model = mlp(createRng(21), { inputDim: 5, numClasses: 3, hidden: [8, 6], activation: 'relu', initScale: 1.5 });
    const rng = createRng(22);
    labels = Int32Array.from({ length: n }, () => rng.int(3));
    x = tf.tensor2d(normalArray(rng, n * 5), [n, 5]);
    y = tf.tensor2d(oneHotLabels(labels, 3), [n, 3]);
  });

  afterAll(() => {
    tf.dispose([x, y]);
    model.dispose();
  });

  const opFor = (name: string, batch = 20) => datasetHessian(model, { x, yOneHot: y }, [name], [model.namedWeights()[name]], batch);
  const weightOf = (name: string) => {
    const w = model.namedWeights()[name];
    const [rows, cols] = w.shape as [number, number];
    return { data: w.dataSync(), rows, cols };
  };

  it('reproduces the closed-form last-layer kappa and hessian_trace (METRICS.md)', () => {
    const name = 'layers.2.weight';
    expect(model.lastLayer().weight).toBe(model.namedWeights()[name]);
    const features = tf.tidy(() => model.forward(x).features.dataSync() as Float32Array);
    const { weight, bias } = model.lastLayer();
    const closed = computeSplitMetrics(
      { features, labels, n, m: 6 },
      { weight: weight.dataSync() as Float32Array, bias: bias!.dataSync() as Float32Array, C: 3, m: 6 },
      ['kappa', 'hessian_trace'],
    ).values;
    const op = opFor(name);
    try {
      const k = layerKappa(op, weightOf(name), { seed: 1 });
      expect(k.exact).toBe(true);
      expect(k.iterations).toBe(3 * 6);
      expect(rel(k.value, closed.kappa)).toBeLessThan(1e-4);
      expect(rel(exactTrace(op), closed.hessian_trace)).toBeLessThan(1e-4);
    } finally {
      op.dispose();
    }
  });

  it("equals sum_{s,s'} <w_s, w_s'> Tr(H_{s,s'}) from the dense block on a hidden layer", () => {
    const name = 'layers.1.weight';
    const op = opFor(name);
    try {
      const { data, rows: C, cols: m } = weightOf(name);
      const H = denseMatrix(op);
      const d = C * m;
      let direct = 0;
      for (let s = 0; s < C; s++) {
        for (let t = 0; t < C; t++) {
          let g = 0;
          let tr = 0;
          for (let j = 0; j < m; j++) {
            g += data[s * m + j] * data[t * m + j];
            tr += H[(s * m + j) * d + (t * m + j)];
          }
          direct += g * tr;
        }
      }
      const exact = layerKappa(op, { data, rows: C, cols: m }, { exact: true });
      expect(rel(exact.value, direct)).toBeLessThan(1e-4);
      // the structured Hutchinson route is unbiased: 100 probes land within a few standard errors
      const est = layerKappa(op, { data, rows: C, cols: m }, { exact: false, seed: 3, tol: 1e-12 });
      expect(est.exact).toBe(false);
      expect(est.iterations).toBe(100);
      expect(est.converged).toBe(false);
      expect(Math.abs(est.value - direct)).toBeLessThan(4 * est.stderr!);
      expect(est.stderr! / Math.abs(direct)).toBeLessThan(0.2);
    } finally {
      op.dispose();
    }
  });

  it('rejects a weight that does not match the operator', () => {
    const op = opFor('layers.1.weight');
    try {
      expect(() => layerKappa(op, { data: new Float32Array(6), rows: 2, cols: 3 })).toThrow(/dimension/);
    } finally {
      op.dispose();
    }
  });
});

describe('layer kappa of a weight stored in x out (GPT-2 Conv1D)', () => {
  it('reads neurons as columns: equals the brute-force sum over output pairs on a dense Hessian', () => {
    const [m, C] = [4, 3]; // stored [in, out]
    const rng = createRng(5);
    const w = normalArray(rng, m * C);
    const a = normalArray(rng, m * C * m * C);
    const dim = m * C;
    const H = new Float64Array(dim * dim); // symmetric, index j * C + s (as stored)
    for (let i = 0; i < dim; i++) for (let k = 0; k < dim; k++) H[i * dim + k] = a[i * dim + k] + a[k * dim + i];
    const op = {
      dim,
      apply: (v: Float64Array) => Float64Array.from({ length: dim }, (_, i) => v.reduce((acc, x, k) => acc + H[i * dim + k] * x, 0)),
    };
    let brute = 0;
    for (let s = 0; s < C; s++) {
      for (let t = 0; t < C; t++) {
        let g = 0;
        let tr = 0;
        for (let j = 0; j < m; j++) {
          g += w[j * C + s] * w[j * C + t];
          tr += H[(j * C + s) * dim + (j * C + t)];
        }
        brute += g * tr;
      }
    }
    const wt = Float64Array.from({ length: dim }, (_, i) => w[(i % m) * C + Math.floor(i / m)]); // [C, m]
    const r = layerKappa(transposedOperator(op, m, C), { data: wt, rows: C, cols: m }, { exact: true });
    expect(rel(r.value, brute)).toBeLessThan(1e-10);
    // the untransposed reading is a different quantity
    expect(rel(layerKappa(op, { data: w, rows: m, cols: C }, { exact: true }).value, brute)).toBeGreaterThan(1e-3);
  });
});
