import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../../shared/api/errors';
import { initBackend } from '../backend';
import { createRng, normalArray } from '../data/prng';
import { oneHotLabels } from '../data/tensors';
import { mlp } from '../models/mlp';
import type { Model } from '../models/model';
import { HESSIAN_METRIC_KEYS, kappaWeightName, modelHessianMetrics, type HessianMetricKey } from './model-metrics';

describe('modelHessianMetrics', () => {
  let model: Model;
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;

  beforeAll(async () => {
    await initBackend('wasm');
    model = mlp(createRng(31), { inputDim: 4, numClasses: 3, hidden: [5], activation: 'tanh' });
    const rng = createRng(32);
    x = tf.tensor2d(normalArray(rng, 40 * 4), [40, 4]);
    y = tf.tensor2d(
      oneHotLabels(
        Int32Array.from({ length: 40 }, () => rng.int(3)),
        3,
      ),
      [40, 3],
    );
  });

  afterAll(() => {
    tf.dispose([x, y]);
    model.dispose();
  });

  it('computes every key as plain, JSON-safe data with its seed and iteration count', () => {
    const before = tf.memory().numTensors;
    const r = modelHessianMetrics(model, { x, yOneHot: y }, [...HESSIAN_METRIC_KEYS], { seed: 7, k: 3, batchSize: 16, esdSteps: 10 });
    expect(tf.memory().numTensors).toBe(before);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.params.dim).toBe(4 * 5 + 5 + 5 * 3 + 3);
    expect(r.hessian_top_eigs!.values).toHaveLength(3);
    expect(r.hessian_top_eig!.value).toBe(r.hessian_top_eigs!.values[0]);
    expect(r.hessian_top_eigs!.values[0]).toBeGreaterThanOrEqual(
      r.hessian_top_eigs!.values[1] - 1e-3 * Math.abs(r.hessian_top_eigs!.values[0]),
    );
    expect(r.hessian_esd!.nodes).toHaveLength(10);
    expect(Math.max(...r.hessian_esd!.nodes)).toBeLessThanOrEqual(r.hessian_top_eig!.value * 1.01);
    expect(r.kappa_layer).toMatchObject({ layer: 'layers.1.weight', exact: true, converged: true, seed: 7 });
    expect(r.kappa_layer!.value).toBeGreaterThan(0);
    for (const key of HESSIAN_METRIC_KEYS) {
      expect(r[key]!.seed).toBe(7);
      expect(r[key]!.iterations).toBeGreaterThan(0);
      expect(typeof r[key]!.converged).toBe('boolean');
    }
    // same seed, same numbers
    const again = modelHessianMetrics(model, { x, yOneHot: y }, ['hessian_top_eig', 'hessian_trace_hutch'], { seed: 7, batchSize: 16 });
    expect(again.hessian_top_eig!.value).toBe(r.hessian_top_eig!.value);
    expect(again.hessian_trace_hutch!.value).toBe(r.hessian_trace_hutch!.value);
  });

  it('restricts to one layer and finds its weight for kappa', () => {
    const r = modelHessianMetrics(model, { x, yOneHot: y }, ['hessian_top_eig', 'kappa_layer'], { seed: 1, layer: 'layers.0' });
    expect(r.params.names).toEqual(['layers.0.weight', 'layers.0.bias']);
    expect(r.kappa_layer!.layer).toBe('layers.0.weight');
    expect(kappaWeightName(model)).toBe('layers.1.weight');
  });

  it('rejects unknown keys and layers with PlateauError', () => {
    expect(() => modelHessianMetrics(model, { x, yOneHot: y }, ['nope' as HessianMetricKey], { seed: 0 })).toThrow(PlateauError);
    expect(() => modelHessianMetrics(model, { x, yOneHot: y }, ['hessian_top_eig'], { seed: 0, layer: 'layers.9' })).toThrow(/layers.9/);
    expect(() => kappaWeightName(model, 'layers.0.bias')).toThrow(/2-D/);
  });
});
