import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../io/safetensors';
import { interventionSchema, type InterventionConfig } from '../../shared/domain/train-config';
import { initBackend } from './backend';
import { createRng } from './data/prng';
import { withTerms } from './interventions';
import { blockFlatness, probeGradients, probeNoise, probeVector } from './interventions-placed';
import { computeSplitMetrics } from './metrics';
import { gpt } from './models/gpt';
import { loadWeights, type Model } from './models/model';
import { softmaxCrossEntropy } from './ops/cross-entropy';

/** Written by test/fixtures/gpt/make_placement_reference.py (PyTorch float64, autograd w.r.t. W itself). */
const DIR = join(__dirname, '../../../test/fixtures/gpt');
const meta = JSON.parse(readFileSync(join(DIR, 'gpt-reference.json'), 'utf8'));
const ref = JSON.parse(readFileSync(join(DIR, 'placement-reference.json'), 'utf8'));

let model: Model;
let x: tf.Tensor2D;
let y: tf.Tensor2D;
let xi: tf.Tensor2D;
const n = meta.ids.length;

beforeAll(async () => {
  await initBackend('wasm');
  const file = parseSafetensors(readFileSync(join(DIR, 'gpt-tied.safetensors')), 'tied');
  model = gpt(createRng(1), { vocab: meta.V, length: meta.T, positions: meta.P, dModel: meta.D, heads: meta.H, layers: meta.L });
  loadWeights(model, Object.fromEntries([...file.tensors].map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }])));
  x = tf.tensor2d(meta.ids, [n / meta.T, meta.T], 'int32');
  y = tf.oneHot(tf.tensor1d(meta.targets, 'int32'), meta.V).toFloat() as tf.Tensor2D;
  xi = tf.tensor2d(ref.xi, [n, meta.V]);
});

afterAll(() => {
  tf.dispose([x, y, xi]);
  model.dispose();
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const term = (kind: 'fam' | 'anti-flatness', placement: string) =>
  interventionSchema.parse({ kind, lambda: 1, placement }) as InterventionConfig;

/** The term of `kind` on block k through Plateau's route (perturbation at W's output, then D = H^T G). */
function blockTerm(kind: 'fam' | 'anti-flatness', k: number, noise: tf.Tensor2D = xi): tf.Scalar {
  const out = model.forwardProbed!(x, []);
  const [D] = probeGradients(model, x, out, [k], probeVector(out.logits, noise));
  return blockFlatness(kind, model.blockLayers![k].weight as tf.Tensor2D, D, n);
}

/** Largest gradient error over every weight, relative to the largest reference entry of that weight. */
function gradError(f: () => tf.Scalar, expected: Record<string, number[]>): number {
  const named = model.namedWeights();
  const names = Object.keys(named);
  const { value, grads } = tf.variableGrads(
    f,
    names.map((k) => named[k]),
  );
  let worst = 0;
  for (const k of names) {
    const got = grads[named[k].name].dataSync();
    const want = expected[k];
    const scale = Math.max(1e-12, ...want.map(Math.abs));
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  }
  tf.dispose([value, ...Object.values(grads)]);
  return worst;
}

describe('flatness terms on a GPT block (Gauss-Newton, one Gaussian probe) against PyTorch', () => {
  it('equal the definitions computed with autograd w.r.t. W itself, for both blocks', () => {
    for (const k of [0, 1]) {
      for (const kind of ['anti-flatness', 'fam'] as const) {
        const v = tf.tidy(() => blockTerm(kind, k));
        expect(rel(v.dataSync()[0], ref.blocks[k][kind]), `${kind} block ${k}`).toBeLessThan(1e-4);
        v.dispose();
      }
    }
  });

  it('have the gradient of PyTorch double backward w.r.t. every weight', () => {
    expect(gradError(() => blockTerm('anti-flatness', 0), ref.grads.block0_anti_flatness)).toBeLessThan(1e-3);
    expect(gradError(() => blockTerm('fam', 1), ref.grads.block1_fam)).toBeLessThan(1e-3);
  });

  it("placement 'all' sums every block's term and the head's closed form, and so does its gradient", () => {
    const objective = withTerms(
      model,
      [term('anti-flatness', 'all')],
      (z) => softmaxCrossEntropy(z, y),
      () => tf.clone(xi),
    );
    const r = tf.tidy(() => {
      const o = objective(x, y);
      return tf.stack([o.terms[0], ...o.parts[0]]);
    });
    const [total, b0, b1, head] = r.dataSync();
    r.dispose();
    expect(rel(b0, ref.blocks[0]['anti-flatness'])).toBeLessThan(1e-4);
    expect(rel(b1, ref.blocks[1]['anti-flatness'])).toBeLessThan(1e-4);
    expect(rel(head, ref.head_anti_flatness)).toBeLessThan(1e-4);
    expect(rel(total, ref.blocks[0]['anti-flatness'] + ref.blocks[1]['anti-flatness'] + ref.head_anti_flatness)).toBeLessThan(1e-4);
    expect(gradError(() => objective(x, y).terms[0], ref.grads.all_anti_flatness)).toBeLessThan(1e-3);
  });

  it("anti-collapse at 'block:0' is METRICS.md's cdnv of the activations entering block 0's MLP output layer", () => {
    const objective = withTerms(
      model,
      [interventionSchema.parse({ kind: 'anti-collapse', lambda: 1, placement: 'block:0' }) as InterventionConfig],
      (z) => softmaxCrossEntropy(z, y),
    );
    const got = tf.tidy(() => objective(x, y).terms[0].dataSync()[0]);
    const h = tf.tidy(() => model.forwardProbed!(x, []).blockInputs[0]);
    const m = h.shape[1];
    const oracle = computeSplitMetrics(
      { features: Float64Array.from(h.dataSync()), labels: Int32Array.from(meta.targets), n, m },
      { weight: new Float64Array(meta.V * m), C: meta.V, m },
      ['cdnv'],
    ).values.cdnv;
    h.dispose();
    expect(rel(got, oracle)).toBeLessThan(1e-4);
  });

  it('average, over probes, to the Gauss-Newton traces of the explicit Jacobian (unbiased)', () => {
    const K = 200;
    for (const k of [0, 1]) {
      for (const kind of ['anti-flatness', 'fam'] as const) {
        const draws = Array.from({ length: K }, (_, s) => tf.tidy(() => blockTerm(kind, k, probeNoise(1000 + s, n, meta.V)).dataSync()[0]));
        const mean = draws.reduce((a, b) => a + b, 0) / K;
        const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (K - 1));
        const stderr = sd / Math.sqrt(K);
        const want = ref.blocks[k].expected[kind];
        expect(stderr / want, `${kind} block ${k}: the check must be sharp`).toBeLessThan(0.06);
        expect(Math.abs(mean - want), `${kind} block ${k}: mean ${mean}, expected ${want}`).toBeLessThan(4 * stderr);
      }
    }
  });
});
