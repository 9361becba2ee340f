import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../io/safetensors';
import { initBackend } from '../backend';
import { createRng } from '../data/prng';
import { softmaxCrossEntropy } from '../ops/cross-entropy';
import { gpt } from './gpt';
import { loadWeights } from './model';

/** Written by test/fixtures/gpt/make_gpt_reference.py: a GPT-2 built from the architecture in PyTorch float64. */
const DIR = join(__dirname, '../../../../test/fixtures/gpt');
const ref = JSON.parse(readFileSync(join(DIR, 'gpt-reference.json'), 'utf8'));

beforeAll(async () => {
  await initBackend('wasm');
});

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe.each(['tied', 'untied'] as const)('gpt (%s head) against the PyTorch reference', (name) => {
  it('loads the Hugging Face GPT-2 state dict and matches logits, features, loss and every gradient to 1e-5', () => {
    const file = parseSafetensors(readFileSync(join(DIR, `gpt-${name}.safetensors`)), name);
    const model = gpt(createRng(1), {
      vocab: ref.V,
      length: ref.T,
      positions: ref.P,
      dModel: ref.D,
      heads: ref.H,
      layers: ref.L,
      tiedHead: name === 'tied',
    });
    const weights = Object.fromEntries([...file.tensors].map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
    // the same names, no more, no less: a Plateau GPT is a GPT-2 state dict
    expect(Object.keys(model.namedWeights()).sort()).toEqual(Object.keys(weights).sort());
    loadWeights(model, weights);
    const n = ref.ids.length / ref.T;
    const x = tf.tensor2d(ref.ids, [n, ref.T], 'int32');
    const y1h = tf.oneHot(tf.tensor1d(ref.targets, 'int32'), ref.V).toFloat() as tf.Tensor2D;
    const out = model.forward(x);
    const r = ref[name];
    expect(out.logits.shape).toEqual([n * ref.T, ref.V]);
    expect(maxAbs(out.logits.dataSync(), r.logits)).toBeLessThan(1e-5);
    expect(maxAbs(out.features.dataSync(), r.features)).toBeLessThan(1e-5);
    const named = model.namedWeights();
    const names = Object.keys(named);
    const { value, grads } = tf.variableGrads(
      () => softmaxCrossEntropy(model.forward(x).logits, y1h),
      names.map((k) => named[k]),
    );
    expect(Math.abs(value.dataSync()[0] - r.loss)).toBeLessThan(1e-5);
    for (const k of names) expect(maxAbs(grads[named[k].name].dataSync(), r.grads[k]), k).toBeLessThan(1e-5);
    tf.dispose([x, y1h, out.logits, out.features, value, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('gpt', () => {
  it('is causal: a later token never changes an earlier position', () => {
    const model = gpt(createRng(0), { vocab: 9, length: 5, dModel: 8, heads: 2, layers: 2 });
    const a = tf.tensor2d([[1, 2, 3, 4, 5]], [1, 5], 'int32');
    const b = tf.tensor2d([[1, 2, 3, 8, 0]], [1, 5], 'int32');
    const la = model.forward(a).logits.arraySync();
    const lb = model.forward(b).logits.arraySync();
    for (let t = 0; t < 3; t++) expect(maxAbs(la[t], lb[t])).toBeLessThan(1e-6);
    expect(maxAbs(la[3], lb[3])).toBeGreaterThan(1e-4);
    model.dispose();
  });
});
