import * as tf from '@tensorflow/tfjs';
import type { TransformerConfig } from '../../../shared/domain/train-config';
import { invalid } from '../../../shared/api/errors';
import type { Rng } from '../data/prng';
import { layerNorm, multiHeadAttention } from '../ops/attention';
import { addRow } from '../ops/broadcast';
import { embeddingLookup } from '../ops/embedding';
import { linear } from '../ops/matmul';
import { normalVariable, zerosVariable, type Model } from './model';

export interface TransformerOptions extends Partial<Omit<TransformerConfig, 'kind'>> {
  vocab: number;
  /** Input tokens per row (2 for the modular tasks). */
  length: number;
  numClasses: number;
}

type V = tf.Variable;
interface Block {
  wq: V;
  wk: V;
  wv: V;
  bq?: V;
  bk?: V;
  bv?: V;
  wo: V;
  bo?: V;
  ln1g?: V;
  ln1b?: V;
  ln2g?: V;
  ln2b?: V;
  w1: V;
  b1?: V;
  w2: V;
  b2?: V;
}

const onesVariable = (n: number): V => tf.tidy(() => tf.variable(tf.ones([n])));

/**
 * Decoder-only transformer for the algorithmic tasks (Power et al. 2022): tokens (a, b[, '='])
 * -> token + position embeddings -> `layers` blocks (multi-head attention, ReLU MLP, residuals,
 * LayerNorm after each sub-block for 'post', before for 'pre' with a final ln_f, none for 'none')
 * -> unembedding of the last position. features = the unembedding's input.
 * Embedding lookups copy rows (ops/embedding); their gradient is the one-hot matMul.
 * Weight names follow PyTorch (nn.MultiheadAttention's in_proj_weight is stored as q/k/v thirds
 * under `attn.q_proj` etc. so that each is a plain out x in matrix).
 */
export function transformer(rng: Rng, opts: TransformerOptions): Model {
  const L = opts.layers ?? 2;
  const d = opts.dModel ?? 128;
  const heads = opts.heads ?? 4;
  const mlpWidth = opts.mlpWidth ?? 512;
  const norm = opts.norm ?? 'post';
  const causal = opts.causal ?? true;
  const eq = opts.equalsToken ?? true;
  const useBias = opts.bias ?? true;
  if (d % heads !== 0) throw invalid(`model.heads must divide dModel=${d}`, { field: 'model.heads', value: heads });
  const T = opts.length + (eq ? 1 : 0);
  const vocab = opts.vocab + (eq ? 1 : 0);
  const named: Record<string, V> = {};
  const add = <T extends V>(name: string, v: T): T => ((named[name] = v), v);
  const lin = (name: string, out: number, inp: number) => add(`${name}.weight`, normalVariable(rng, [out, inp], 1 / Math.sqrt(inp)));
  const bias = (name: string, size: number) => (useBias ? add(`${name}.bias`, zerosVariable(size)) : undefined);
  const embed = add('embed.weight', normalVariable(rng, [vocab, d], 1 / Math.sqrt(d)));
  const pos = add('pos_embed.weight', normalVariable(rng, [T, d], 1 / Math.sqrt(d)));
  const blocks: Block[] = [];
  for (let l = 0; l < L; l++) {
    const p = `blocks.${l}`;
    // 'none' (Nanda et al.) creates no LayerNorm parameters, so optimizers and metrics never see them
    const ln = (n: string): (V | undefined)[] =>
      norm === 'none' ? [] : [add(`${p}.${n}.weight`, onesVariable(d)), add(`${p}.${n}.bias`, zerosVariable(d))];
    const [ln1g, ln1b] = ln('ln1');
    const wq = lin(`${p}.attn.q_proj`, d, d);
    const bq = bias(`${p}.attn.q_proj`, d);
    const wk = lin(`${p}.attn.k_proj`, d, d);
    const bk = bias(`${p}.attn.k_proj`, d);
    const wv = lin(`${p}.attn.v_proj`, d, d);
    const bv = bias(`${p}.attn.v_proj`, d);
    const wo = lin(`${p}.attn.out_proj`, d, d);
    const bo = bias(`${p}.attn.out_proj`, d);
    const [ln2g, ln2b] = ln('ln2');
    const w1 = lin(`${p}.mlp.fc1`, mlpWidth, d);
    const b1 = bias(`${p}.mlp.fc1`, mlpWidth);
    const w2 = lin(`${p}.mlp.fc2`, d, mlpWidth);
    const b2 = bias(`${p}.mlp.fc2`, d);
    blocks.push({ wq, wk, wv, bq, bk, bv, wo, bo, ln1g, ln1b, ln2g, ln2b, w1, b1, w2, b2 });
  }
  const lnf = norm === 'pre' ? [add('ln_f.weight', onesVariable(d)), add('ln_f.bias', zerosVariable(d))] : null;
  const unembed = add('unembed.weight', normalVariable(rng, [opts.numClasses, d], 1 / Math.sqrt(d)));

  const dense = (x: tf.Tensor2D, w: V, b?: V) => (b ? addRow(linear(x, w as tf.Tensor2D), b) : linear(x, w as tf.Tensor2D));

  /** Rows are position-major ([T*n, d], position t in rows t*n..t*n+n-1), so a position is a contiguous slice. */
  function block(x: tf.Tensor2D, n: number, b: Block, last: boolean): tf.Tensor2D {
    const rows = (t: tf.Tensor2D, i: number) => tf.slice(t, [i * n, 0], [n, -1]) as tf.Tensor2D;
    const pre = norm === 'pre';
    const h = pre ? layerNorm(x, b.ln1g!, b.ln1b!) : x;
    // the last block's output is read at the last position only: queries and MLP there only
    const q0 = last ? T - 1 : 0;
    const hq = last ? rows(h, T - 1) : h;
    const qAll = dense(hq, b.wq, b.bq);
    const kAll = dense(h, b.wk, b.bk);
    const vAll = dense(h, b.wv, b.bv);
    // position-major rows are the 'time' layout [T, n, d] as they lie
    const seq = (t: tf.Tensor2D, len: number) => tf.reshape(t, [len, n, d]) as tf.Tensor3D;
    const a = multiHeadAttention(seq(qAll, T - q0), seq(kAll, T), seq(vAll, T), { heads, causal, qOffset: q0, layout: 'time' });
    const att = dense(tf.reshape(a, [(T - q0) * n, d]) as tf.Tensor2D, b.wo, b.bo);
    const xq = last ? rows(x, T - 1) : x;
    let r = tf.add(xq, att) as tf.Tensor2D;
    if (norm === 'post') r = layerNorm(r, b.ln1g!, b.ln1b!);
    const m = dense(tf.relu(dense(pre ? layerNorm(r, b.ln2g!, b.ln2b!) : r, b.w1, b.b1)), b.w2, b.b2);
    const out = tf.add(r, m) as tf.Tensor2D;
    return norm === 'post' ? layerNorm(out, b.ln2g!, b.ln2b!) : out;
  }

  return {
    kind: 'transformer',
    input: 'tokens',
    forward(x) {
      return tf.tidy(() => {
        const n = x.shape[0];
        if (x.shape[1] !== opts.length) throw new Error(`transformer expects ${opts.length} tokens per row, got ${x.shape[1]}`);
        // position-major token ids (row t * n + i), the query token `vocab` after the inputs; built on
        // the device: no read back, which WebGPU cannot do synchronously
        const cols = tf.transpose(tf.cast(x, 'int32')) as tf.Tensor2D;
        const byPos = T > opts.length ? tf.concat([cols, tf.fill([T - opts.length, n], opts.vocab, 'int32')]) : cols;
        const ids = tf.reshape(byPos, [T * n]) as tf.Tensor1D;
        const posIds = tf.reshape(tf.tile(tf.reshape(tf.range(0, T, 1, 'int32'), [T, 1]), [1, n]), [T * n]) as tf.Tensor1D;
        let h = tf.add(embeddingLookup(embed as tf.Tensor2D, ids), embeddingLookup(pos as tf.Tensor2D, posIds)) as tf.Tensor2D;
        blocks.forEach((b, l) => (h = block(h, n, b, l === L - 1)));
        const features = lnf ? layerNorm(h, lnf[0], lnf[1]) : h;
        return { logits: linear(features, unembed as tf.Tensor2D), features };
      });
    },
    lastLayer: () => ({ weight: unembed }),
    namedWeights: () => ({ ...named }),
    dispose: () => tf.dispose(Object.values(named)),
  };
}
