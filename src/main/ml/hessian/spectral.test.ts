import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { createRng, normalArray } from '../data/prng';
import { oneHotLabels } from '../data/tensors';
import { symmetricEigen } from '../metrics/linalg';
import { mlp } from '../models/mlp';
import type { Model } from '../models/model';
import { datasetHessian, denseMatrix, denseOperator, dot, selectParams, type DatasetHessian } from './operator';
import { hessianEsd } from './slq';
import { hessianTopEig, hessianTopEigs, hessianTraceHutchinson } from './spectral';

/** Dense symmetric matrix with a prescribed spectrum: Q diag(lambda) Q^T, Q from Gram-Schmidt. */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const n = lambda.length;
  const rng = createRng(seed);
  const q: Float64Array[] = [];
  while (q.length < n) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const b of q) {
      const c = dot(v, b);
      for (let i = 0; i < n; i++) v[i] -= c * b[i];
    }
    const len = Math.sqrt(dot(v, v));
    q.push(v.map((x) => x / len));
  }
  const m = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] += lambda[k] * q[k][i] * q[k][j];
  return m;
}

describe('spectral estimators on a dense operator', () => {
  const lambda = [10, 7, 5, 3, 2, 1, 0.5, 0.2, 0, -0.5, -1, -2];
  const op = denseOperator(withSpectrum(lambda, 1), lambda.length);

  it('power iteration finds the top eigenvalues, deflation the next ones', () => {
    const top = hessianTopEig(op, { seed: 4 });
    expect(Math.abs(top.value - 10) / 10).toBeLessThan(1e-2);
    expect(top.converged).toBe(true);
    expect(top.seed).toBe(4);
    const eigs = hessianTopEigs(op, 3, { seed: 4 });
    expect(eigs.values[0]).toBe(top.value);
    eigs.values.forEach((v, i) => expect(Math.abs(v - lambda[i]) / lambda[i]).toBeLessThan(1e-2));
    expect(Math.abs(dot(eigs.vectors[0], eigs.vectors[1]))).toBeLessThan(1e-9);
    expect(eigs.each.length).toBe(3);
  });

  it('finds the largest eigenvalue, not the largest in magnitude, when a negative one dominates', () => {
    const saddle = denseOperator(withSpectrum([-6, 2, 1, 0.5, -1], 3), 5);
    const top = hessianTopEig(saddle, { seed: 2 });
    expect(Math.abs(top.value - 2) / 2).toBeLessThan(1e-2);
    expect(top.converged).toBe(true);
  });

  it('reports non-convergence at the iteration cap', () => {
    const r = hessianTopEig(denseOperator(withSpectrum([1, -1, 0.5], 2), 3), { seed: 1, maxIter: 5 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBeLessThanOrEqual(10); // at most two capped runs (the second after a shift)
  });

  it('Hutchinson is reproducible from its seed', () => {
    const a = hessianTraceHutchinson(op, { seed: 7 });
    const b = hessianTraceHutchinson(op, { seed: 7 });
    expect(a).toEqual(b);
    expect(a.iterations).toBeGreaterThan(1);
  });

  it('SLQ with full steps recovers the spectrum exactly', () => {
    const r = hessianEsd(op, { seed: 3, steps: lambda.length });
    const sorted = [...r.nodes].sort((x, y) => y - x);
    sorted.forEach((v, i) => expect(v).toBeCloseTo(lambda[i], 6));
    expect(r.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 10);
  });
});

describe('spectral estimators on a tiny MLP against its dense Hessian', () => {
  let model: Model;
  let op: DatasetHessian;
  let values: Float64Array;
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;

  beforeAll(async () => {
    await initBackend('wasm');
    model = mlp(createRng(11), { inputDim: 4, numClasses: 3, hidden: [6], activation: 'tanh', initScale: 2 });
    const rng = createRng(12);
    const n = 50;
    x = tf.tensor2d(normalArray(rng, n * 4), [n, 4]);
    y = tf.tensor2d(
      oneHotLabels(
        Int32Array.from({ length: n }, () => rng.int(3)),
        3,
      ),
      [n, 3],
    );
    const { names, params } = selectParams(model);
    // batches of 16 so that the batch summation is exercised too
    op = datasetHessian(model, { x, yOneHot: y }, names, params, 16);
    const dense = denseMatrix(op);
    // symmetrise away float32 rounding before the Jacobi solver
    const d = op.dim;
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) dense[i * d + j] = dense[j * d + i] = (dense[i * d + j] + dense[j * d + i]) / 2;
    values = symmetricEigen(dense, d).values;
  });

  afterAll(() => {
    op.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('power iteration is within 1% of the dense top eigenvalue', () => {
    expect(op.dim).toBe(4 * 6 + 6 + 6 * 3 + 3);
    const dominant = Math.abs(values[0]) >= Math.abs(values[values.length - 1]) ? values[0] : values[values.length - 1];
    expect(dominant).toBe(values[0]);
    const r = hessianTopEig(op, { seed: 5 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.value - values[0]) / values[0]).toBeLessThan(0.01);
  });

  it('Hutchinson is within 5% of the exact trace', () => {
    const trace = values.reduce((s, v) => s + v, 0);
    const r = hessianTraceHutchinson(op, { seed: 5 });
    expect(Math.abs(r.value - trace) / Math.abs(trace)).toBeLessThan(0.05);
  });

  it('SLQ density integrates to ~1 and its nodes lie in the dense spectrum', () => {
    const r = hessianEsd(op, { seed: 5, steps: 20 });
    const lo = values[values.length - 1];
    const hi = values[0];
    const slack = 1e-4 * (hi - lo);
    for (const node of r.nodes) {
      expect(node).toBeGreaterThanOrEqual(lo - slack);
      expect(node).toBeLessThanOrEqual(hi + slack);
    }
    let integral = 0;
    for (let i = 1; i < r.grid.length; i++) integral += ((r.density[i] + r.density[i - 1]) / 2) * (r.grid[i] - r.grid[i - 1]);
    expect(integral).toBeCloseTo(1, 2);
    expect(r.iterations).toBe(20);
    // the extreme Ritz values converge first: the largest matches the top eigenvalue closely
    expect(Math.abs(Math.max(...r.nodes) - hi) / hi).toBeLessThan(1e-3);
  });
});
