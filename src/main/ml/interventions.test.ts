import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InterventionKind, TrainConfigInput } from '../../shared/domain/train-config';
import { initBackend } from './backend';
import { gaussianMixture } from './data/gaussian-mixture';
import { createRng } from './data/prng';
import { splitTensors } from './data/tensors';
import { cdnv, termLogKeys, termValue } from './interventions';
import { computeSplitMetrics } from './metrics';
import { mlp } from './models/mlp';
import { train, type CheckpointPayload, type EpochLog } from './train';

beforeAll(async () => {
  await initBackend('wasm');
});

const METRIC: Record<InterventionKind, string> = { fam: 'kappa_fam', 'anti-flatness': 'flatness_bound', 'anti-collapse': 'cdnv' };
const KINDS: InterventionKind[] = ['fam', 'anti-flatness', 'anti-collapse'];

/** A small batch through an MLP with a bias: features, last layer and the closed-form oracle's inputs. */
function batch() {
  const ds = gaussianMixture(3, { classes: 3, dim: 5, separation: 2, trainSize: 24, testSize: 4 });
  const model = mlp(createRng(1), { inputDim: 5, numClasses: 3, hidden: [8], activation: 'tanh' });
  // a non-zero bias, so that its place in the logits is tested too
  tf.tidy(() => model.lastLayer().bias!.assign(tf.tensor1d([0.3, -0.2, 0.1])));
  const t = splitTensors(ds, ds.train);
  const out = model.forward(t.x);
  const { weight, bias } = model.lastLayer();
  const inputs = { features: out.features, logits: out.logits, weight: weight as tf.Tensor2D, bias, yOneHot: t.yOneHot! };
  const f64 = (x: tf.Tensor) => Float64Array.from(x.dataSync());
  const dispose = () => {
    tf.dispose([out.features, out.logits, t.x, t.y, t.yOneHot]);
    model.dispose();
  };
  return { x: t.x, model, inputs, phi: f64(out.features), W: f64(weight), b: f64(bias!), labels: ds.train.labels, dispose };
}

const relClose = (a: number, b: number, tol: number) => expect(Math.abs(a - b) / Math.max(1e-12, Math.abs(b))).toBeLessThan(tol);

describe('intervention terms', () => {
  it('equal the float64 closed form on a batch (temperature 1, raw features)', () => {
    const b = batch();
    const oracle = computeSplitMetrics(
      { features: b.phi, labels: b.labels, n: 24, m: 8 },
      { weight: b.W, bias: b.b, C: 3, m: 8 },
      Object.values(METRIC),
    ).values;
    for (const kind of KINDS) {
      const v = termValue(kind, b.inputs);
      relClose(v.dataSync()[0], oracle[METRIC[kind]], 2e-5);
      v.dispose();
    }
    b.dispose();
  });

  it('temperature and unit-norm features act inside the term only', () => {
    const b = batch();
    const T = 2;
    const m = 8;
    const phiHat = new Float64Array(b.phi.length);
    for (let i = 0; i < 24; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += b.phi[i * m + j] ** 2;
      for (let j = 0; j < m; j++) phiHat[i * m + j] = b.phi[i * m + j] / Math.sqrt(s);
    }
    // p = softmax((W phi^ + b) / T) is the softmax of a layer (W/T, b/T); kappa and the bound scale by T^2 back
    const oracle = computeSplitMetrics(
      { features: phiHat, labels: b.labels, n: 24, m },
      { weight: b.W.map((w) => w / T), bias: b.b.map((x) => x / T), C: 3, m },
      Object.values(METRIC),
    ).values;
    for (const kind of KINDS) {
      const v = termValue(kind, b.inputs, { temperature: T, unitNormFeatures: true });
      const expected = kind === 'anti-collapse' ? oracle.cdnv : T * T * oracle[METRIC[kind]];
      relClose(v.dataSync()[0], expected, 2e-5);
      v.dispose();
    }
    b.dispose();
  });

  it('are differentiable: a small step against the gradient lowers each', () => {
    const b = batch();
    for (const kind of KINDS) {
      const params = Object.values(b.model.namedWeights());
      const value = () => {
        const out = b.model.forward(b.x);
        return termValue(kind, { ...b.inputs, features: out.features, logits: out.logits });
      };
      const [before, after] = tf.tidy(() => {
        const { value: v0, grads } = tf.variableGrads(value, params);
        // cdnv does not depend on the last layer: its weights get no gradient (null)
        const norm = Math.sqrt(Object.values(grads).reduce((s, g) => s + (g ? tf.sum(tf.square(g)).dataSync()[0] : 0), 0));
        expect(norm).toBeGreaterThan(0);
        const saved = params.map((p) => p.clone());
        params.forEach((p) => grads[p.name] && p.assign(tf.sub(p, tf.mul(grads[p.name], 1e-3 / norm))));
        const v1 = value().dataSync()[0];
        params.forEach((p, i) => p.assign(saved[i]));
        return [v0.dataSync()[0], v1];
      });
      expect(after).toBeLessThan(before);
    }
    b.dispose();
  });

  it('names log keys without clashing with METRICS.md keys', () => {
    const t = (kind: InterventionKind) => ({
      kind,
      lambda: 1,
      fromEpoch: 1,
      temperature: 1,
      unitNormFeatures: false,
      placement: 'head' as const,
    });
    expect(termLogKeys([t('fam'), t('anti-flatness'), t('anti-flatness'), t('anti-collapse')])).toEqual([
      'intervention_fam',
      'intervention_anti_flatness',
      'intervention_anti_flatness_2',
      'intervention_anti_collapse',
    ]);
  });
});

describe('interventions in training', () => {
  const base: TrainConfigInput = {
    dataset: { kind: 'modular', p: 13, trainFraction: 0.5 },
    model: { kind: 'quadratic-mlp', width: 16 },
    optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 1 },
    epochs: 5,
  };
  async function run(config: TrainConfigInput) {
    const logs: EpochLog[] = [];
    const ckpts: CheckpointPayload[] = [];
    const summary = await train(config, { onEpoch: (l) => void logs.push(l), onCheckpoint: (c) => void ckpts.push(c) });
    return { summary, logs, ckpts };
  }

  it('are active only inside their epoch window, and logged there', async () => {
    const before = tf.memory().numTensors;
    const plain = await run(base);
    const withTerm = await run({ ...base, interventions: [{ kind: 'anti-flatness', lambda: 0.5, fromEpoch: 3, toEpoch: 4 }] });
    expect(tf.memory().numTensors).toBe(before);
    expect(withTerm.logs.map((l) => l.interventions !== undefined)).toEqual([false, false, true, true, false]);
    expect(withTerm.logs[2].interventions!.intervention_anti_flatness).toBeGreaterThan(0);
    for (const i of [0, 1]) expect(withTerm.logs[i].train_loss).toBe(plain.logs[i].train_loss);
    for (const i of [2, 3, 4]) expect(withTerm.logs[i].train_loss).not.toBe(plain.logs[i].train_loss);
  });

  it('fam with a large lambda lowers kappa_fam relative to the plain run', async () => {
    // the plain run's value is logged by a zero-weight term
    const probe = { kind: 'fam' as const, lambda: 0 };
    const plain = await run({ ...base, epochs: 10, interventions: [probe] });
    const fam = await run({ ...base, epochs: 10, interventions: [{ kind: 'fam', lambda: 50 }] });
    expect(fam.logs[9].interventions!.intervention_fam).toBeLessThan(plain.logs[9].interventions!.intervention_fam);
  });

  it('caps the classifier norm while active', async () => {
    const { ckpts } = await run({ ...base, interventions: [{ kind: 'anti-collapse', lambda: 1e-3, maxClassifierNorm: 0.5 }] });
    const w = ckpts[ckpts.length - 1].weights['out.weight'].data;
    expect(Math.sqrt(w.reduce((s, x) => s + x * x, 0))).toBeLessThanOrEqual(0.5 + 1e-5);
  });

  it('rejects a window that ends before it starts', async () => {
    const err = await train({ ...base, interventions: [{ kind: 'fam', lambda: 1, fromEpoch: 5, toEpoch: 2 }] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^interventions\.0\.toEpoch must be in \[fromEpoch=5, 1e7\]/);
  });
});

describe('cdnv on a batch with coinciding class means', () => {
  it('stays finite: a pair at distance 0 without spread adds 0, the other pairs their closed form', () => {
    // classes 0 and 1: one row each at the same point; class 2 at distance 2 from both, spread 0
    const phi = tf.tensor2d([1, 0, 1, 0, 3, 0, 3, 0], [4, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 2], 'int32'), 3).toFloat() as tf.Tensor2D;
    const v = cdnv(phi, y).dataSync()[0];
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBe(0); // every V_c is 0: pairs (0,2), (1,2) are 0 / 8, pair (0,1) is 0 / floor
    // spread in class 2 (rows at 3 +- 1): V_2 = 1, so pairs (0,2) and (1,2) give 1 / (2 * 4); pair (0,1) 0 / floor
    const spread = tf.tensor2d([1, 0, 1, 0, 3, 1, 3, -1], [4, 2]);
    expect(cdnv(spread, y).dataSync()[0]).toBeCloseTo((2 * (1 / 8) + 0) / 3, 6);
  });
});
