// Which block and which part of it a transformer tensor is, from its name: what groups weights-only
// metrics by layer index and kind in the heatmap and the per-kind series. Name patterns of the families
// researchers bring most (GPT-2, GPT-NeoX/Pythia, LLaMA/Mistral/Qwen, OPT, BERT); anything else keeps its
// own name as its group, so an unknown model still gets per-tensor values.

/** Attention q/k/v/o (qkv: a fused projection, GPT-2's c_attn), MLP up/gate/down, embeddings, head, norms. */
export type LayerKind = 'q' | 'k' | 'v' | 'qkv' | 'o' | 'up' | 'gate' | 'down' | 'embed' | 'pos_embed' | 'head' | 'norm' | 'other';

/** The kinds in the order a block computes them: the heatmap's row order within one layer index. */
export const LAYER_KINDS: readonly LayerKind[] = [
  'embed',
  'pos_embed',
  'q',
  'k',
  'v',
  'qkv',
  'o',
  'gate',
  'up',
  'down',
  'norm',
  'head',
  'other',
];

export interface LayerName {
  /** The block's index (`h.3`, `layers.3`, `layer.3`, `blocks.3`), null for embeddings, head and unknown tensors. */
  index: number | null;
  kind: LayerKind;
}

/** First match wins: norms before the projections whose names they share a word with (post_attention_layernorm). */
const RULES: [RegExp, LayerKind][] = [
  [/(^|\.)(ln_?\w*|\w*layer_?norm\w*|\w*_norm|norm|rms_?norm\w*)\.(weight|bias)$/i, 'norm'],
  [/(^|\.)(wte|embed_tokens|embed_in|word_embeddings|tok_embeddings|token_embedding)\.weight$/i, 'embed'],
  [/(^|\.)(wpe|position_embeddings|embed_positions|pos_embed\w*)\.weight$/i, 'pos_embed'],
  [/(^|\.)(lm_head|embed_out|output|cls\.predictions\.decoder)\.weight$/i, 'head'],
  [/(^|\.)(c_attn|query_key_value|qkv_proj|wqkv|qkv|in_proj)\.weight$/i, 'qkv'],
  [/(^|\.)(q_proj|query|wq|q)\.weight$/i, 'q'],
  [/(^|\.)(k_proj|key|wk|k)\.weight$/i, 'k'],
  [/(^|\.)(v_proj|value|wv|v)\.weight$/i, 'v'],
  [/(attn|attention|self_attn|self_attention)\.(c_proj|o_proj|dense|out_proj|wo|output\.dense)\.weight$/i, 'o'],
  [/(^|\.)(gate_proj|w1)\.weight$/i, 'gate'],
  [/(^|\.)(c_fc|up_proj|dense_h_to_4h|fc1|w3|intermediate\.dense|fc_in)\.weight$/i, 'up'],
  [/(mlp|feed_forward|ffn)\.(c_proj|down_proj|dense_4h_to_h|fc2|w2|fc_out)\.weight$/i, 'down'],
  [/(^|\.)(down_proj|dense_4h_to_h|fc2|w2|output\.dense)\.weight$/i, 'down'],
];

const INDEX = /(?:^|\.)(?:h|layers|layer|blocks|block|decoder\.layers|encoder\.layer)\.(\d+)\./;

/** A tensor name's block index and kind; unknown names are kind 'other' (with an index when one is visible). */
export function classifyLayer(name: string): LayerName {
  const m = INDEX.exec(name);
  const index = m ? Number(m[1]) : null;
  for (const [re, kind] of RULES)
    if (re.test(name)) return { index: kind === 'embed' || kind === 'pos_embed' || kind === 'head' ? null : index, kind };
  return { index, kind: 'other' };
}

/** Heatmap row order: embeddings first, then by block index and kind, the head last, unknown tensors by name after. */
export function compareLayers(a: string, b: string): number {
  const x = classifyLayer(a);
  const y = classifyLayer(b);
  const rank = (l: LayerName) => (l.kind === 'embed' || l.kind === 'pos_embed' ? 0 : l.kind === 'head' ? 2 : l.index === null ? 3 : 1);
  return (
    rank(x) - rank(y) ||
    (x.index ?? 0) - (y.index ?? 0) ||
    LAYER_KINDS.indexOf(x.kind) - LAYER_KINDS.indexOf(y.kind) ||
    a.localeCompare(b, undefined, { numeric: true })
  );
}

/** A short row label: `3.qkv`, `embed`, or the tensor's own name when its kind is unknown. */
export function layerLabel(name: string): string {
  const l = classifyLayer(name);
  if (l.kind === 'other') return name.replace(/\.weight$/, '');
  return l.index === null ? l.kind : `${l.index}.${l.kind}`;
}
