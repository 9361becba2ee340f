import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../../shared/api/errors';
import type { GptConfig } from '../../../shared/domain/train-config';
import type { Rng } from '../data/prng';
import { layerNorm, multiHeadAttention } from '../ops/attention';
import { fusedCausalSelfAttention } from '../ops/attention-native';
import { gelu } from '../ops/fused-native';
import { addRow } from '../ops/broadcast';
import { embeddingLookup } from '../ops/embedding';
import { linear, matMul } from '../ops/matmul';
import { normalVariable, zerosVariable, type ForwardResult, type Model } from './model';

export interface GptOptions extends Partial<Omit<GptConfig, 'kind'>> {
  vocab: number;
  /** Tokens per input row (the context length T). */
  length: number;
}

type V = tf.Variable;
const onesVariable = (n: number): V => tf.tidy(() => tf.variable(tf.ones([n])));

/**
 * Decoder-only GPT with Hugging Face GPT-2's parameter names and layouts (Conv1D weights are in x out),
 * so its checkpoints open as GPT2LMHeadModel state dicts and theirs load here. Forward takes [n, T] token
 * ids and gives logits and features (the final LayerNorm's output, the head's input) for every position,
 * rows batch-major (row i*T + t), the order of the targets. Init as GPT-2: N(0, 0.02), residual
 * projections N(0, 0.02 / sqrt(2 L)), LayerNorms 1 and 0, biases 0.
 */
export function gpt(rng: Rng, opts: GptOptions): Model {
  const L = opts.layers ?? 2;
  const d = opts.dModel ?? 128;
  const heads = opts.heads ?? 4;
  const inner = opts.mlpWidth ?? 4 * d;
  const P = opts.positions ?? opts.length;
  const tied = opts.tiedHead ?? true;
  if (d % heads !== 0) throw invalid(`model.heads must divide dModel=${d}`, { field: 'model.heads', value: heads });
  if (opts.length > P)
    throw invalid(`model.positions=${P} is shorter than the context length ${opts.length}`, { field: 'model.positions' });
  const named: Record<string, V> = {};
  const add = (name: string, v: V): V => ((named[name] = v), v);
  const normal = (name: string, shape: [number, number], std = 0.02) => add(name, normalVariable(rng, shape, std));
  const zeros = (name: string, n: number) => add(name, zerosVariable(n));
  const norm = (name: string) => [add(`${name}.weight`, onesVariable(d)), zeros(`${name}.bias`, d)];
  const wte = normal('transformer.wte.weight', [opts.vocab, d]);
  const wpe = normal('transformer.wpe.weight', [P, d], 0.01);
  const residualStd = 0.02 / Math.sqrt(2 * L);
  const blocks = Array.from({ length: L }, (_, l) => {
    const p = `transformer.h.${l}`;
    return {
      ln1: norm(`${p}.ln_1`),
      attnW: normal(`${p}.attn.c_attn.weight`, [d, 3 * d]),
      attnB: zeros(`${p}.attn.c_attn.bias`, 3 * d),
      projW: normal(`${p}.attn.c_proj.weight`, [d, d], residualStd),
      projB: zeros(`${p}.attn.c_proj.bias`, d),
      ln2: norm(`${p}.ln_2`),
      fcW: normal(`${p}.mlp.c_fc.weight`, [d, inner]),
      fcB: zeros(`${p}.mlp.c_fc.bias`, inner),
      outW: normal(`${p}.mlp.c_proj.weight`, [inner, d], residualStd),
      outB: zeros(`${p}.mlp.c_proj.bias`, d),
    };
  });
  const lnf = norm('transformer.ln_f');
  const head = tied ? wte : normal('lm_head.weight', [opts.vocab, d]);
  // Conv1D: x @ W + b with W in x out
  const conv1d = (x: tf.Tensor2D, w: V, b: V) => addRow(matMul(x, w as tf.Tensor2D), b);
  /** The forward pass; `deltas` are added to the MLP outputs, `inputs` (when given) collects the MLP output layers' inputs. */
  function run(x: tf.Tensor2D, deltas: readonly (tf.Tensor2D | undefined)[]): ForwardResult;
  function run(
    x: tf.Tensor2D,
    deltas: readonly (tf.Tensor2D | undefined)[],
    inputs: tf.Tensor2D[],
  ): ForwardResult & { blockInputs: tf.Tensor2D[] };
  function run(x: tf.Tensor2D, deltas: readonly (tf.Tensor2D | undefined)[], inputs?: tf.Tensor2D[]) {
    const [n, T] = x.shape;
    if (T > P) throw invalid(`gpt: rows of ${T} tokens exceed its ${P} positions`);
    const ids = tf.reshape(tf.cast(x, 'int32'), [n * T]) as tf.Tensor1D;
    const posIds = tf.tile(tf.range(0, T, 1, 'int32'), [n]) as tf.Tensor1D;
    let h = tf.add(embeddingLookup(wte as tf.Tensor2D, ids), embeddingLookup(wpe as tf.Tensor2D, posIds)) as tf.Tensor2D;
    blocks.forEach((b, l) => {
      const qkv = conv1d(layerNorm(h, b.ln1[0], b.ln1[1]), b.attnW, b.attnB);
      const part = (i: number) => tf.reshape(tf.slice(qkv, [0, i * d], [n * T, d]), [n, T, d]) as tf.Tensor3D;
      const a =
        fusedCausalSelfAttention(qkv, n, T, heads) ??
        (tf.reshape(multiHeadAttention(part(0), part(1), part(2), { heads, causal: true, layout: 'batch' }), [n * T, d]) as tf.Tensor2D);
      h = tf.add(h, conv1d(a, b.projW, b.projB)) as tf.Tensor2D;
      const m = gelu(conv1d(layerNorm(h, b.ln2[0], b.ln2[1]), b.fcW, b.fcB));
      inputs?.push(m);
      const out = conv1d(m, b.outW, b.outB);
      h = tf.add(h, deltas[l] ? tf.add(out, deltas[l]!) : out) as tf.Tensor2D;
    });
    const features = layerNorm(h, lnf[0], lnf[1]);
    const logits = linear(features, head as tf.Tensor2D);
    return inputs ? { logits, features, blockInputs: inputs } : { logits, features };
  }

  return {
    kind: 'gpt',
    input: 'tokens',
    inputMajor: new Set(Object.keys(named).filter((k) => /\.(c_attn|c_proj|c_fc)\.weight$/.test(k))),
    // windows per forward pass when evaluating: bounds the [n * heads, T, T] scores and [n * T, vocab] logits
    evalBatch: Math.max(1, Math.floor(2 ** 22 / (opts.length * Math.max(opts.length * heads, opts.vocab, inner)))),
    forward: (x) => tf.tidy(() => ({ ...run(x, []) })),
    forwardProbed: (x, deltas) => tf.tidy(() => ({ ...run(x, deltas, []) })),
    blockLayers: blocks.map((b, l) => ({ name: `transformer.h.${l}.mlp.c_proj.weight`, weight: b.outW })),
    lastLayer: () => ({ weight: head }),
    namedWeights: () => ({ ...named }),
    dispose: () => tf.dispose(Object.values(named)),
  };
}
