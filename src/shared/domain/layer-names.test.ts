import { describe, expect, it } from 'vitest';
import { classifyLayer, compareLayers, layerLabel } from './layer-names';

// Real tensor names, copied from the checkpoints' own safetensors headers on the Hugging Face hub.
const TABLE: [string, number | null, string][] = [
  // GPT-2 (openai-community/gpt2; GPT2Model saves without the 'transformer.' prefix)
  ['transformer.wte.weight', null, 'embed'],
  ['wpe.weight', null, 'pos_embed'],
  ['transformer.h.0.ln_1.weight', 0, 'norm'],
  ['h.11.attn.c_attn.weight', 11, 'qkv'],
  ['transformer.h.3.attn.c_proj.weight', 3, 'o'],
  ['transformer.h.3.mlp.c_fc.weight', 3, 'up'],
  ['transformer.h.3.mlp.c_proj.weight', 3, 'down'],
  ['transformer.ln_f.bias', null, 'norm'],
  ['lm_head.weight', null, 'head'],
  // GPT-NeoX / Pythia (EleutherAI/pythia-160m)
  ['gpt_neox.embed_in.weight', null, 'embed'],
  ['gpt_neox.layers.5.input_layernorm.weight', 5, 'norm'],
  ['gpt_neox.layers.5.post_attention_layernorm.weight', 5, 'norm'],
  ['gpt_neox.layers.5.attention.query_key_value.weight', 5, 'qkv'],
  ['gpt_neox.layers.5.attention.dense.weight', 5, 'o'],
  ['gpt_neox.layers.5.mlp.dense_h_to_4h.weight', 5, 'up'],
  ['gpt_neox.layers.5.mlp.dense_4h_to_h.weight', 5, 'down'],
  ['gpt_neox.final_layer_norm.weight', null, 'norm'],
  ['embed_out.weight', null, 'head'],
  // LLaMA / Mistral / Qwen2 (meta-llama/Llama-2-7b-hf, mistralai/Mistral-7B-v0.1, Qwen/Qwen2-0.5B)
  ['model.embed_tokens.weight', null, 'embed'],
  ['model.layers.31.self_attn.q_proj.weight', 31, 'q'],
  ['model.layers.31.self_attn.k_proj.weight', 31, 'k'],
  ['model.layers.31.self_attn.v_proj.weight', 31, 'v'],
  ['model.layers.31.self_attn.o_proj.weight', 31, 'o'],
  ['model.layers.2.mlp.gate_proj.weight', 2, 'gate'],
  ['model.layers.2.mlp.up_proj.weight', 2, 'up'],
  ['model.layers.2.mlp.down_proj.weight', 2, 'down'],
  ['model.layers.2.input_layernorm.weight', 2, 'norm'],
  ['model.norm.weight', null, 'norm'],
  // Meta's original LLaMA layout and Mixtral experts
  ['layers.4.attention.wq.weight', 4, 'q'],
  ['layers.4.attention.wo.weight', 4, 'o'],
  ['layers.4.feed_forward.w1.weight', 4, 'gate'],
  ['layers.4.feed_forward.w2.weight', 4, 'down'],
  ['layers.4.feed_forward.w3.weight', 4, 'up'],
  ['layers.4.ffn_norm.weight', 4, 'norm'],
  ['model.layers.7.block_sparse_moe.experts.3.w2.weight', 7, 'down'],
  // OPT and BERT
  ['model.decoder.layers.1.fc1.weight', 1, 'up'],
  ['model.decoder.layers.1.self_attn_layer_norm.weight', 1, 'norm'],
  ['bert.encoder.layer.2.attention.self.query.weight', 2, 'q'],
  ['bert.encoder.layer.2.attention.output.dense.weight', 2, 'o'],
  ['bert.encoder.layer.2.intermediate.dense.weight', 2, 'up'],
  ['bert.encoder.layer.2.output.dense.weight', 2, 'down'],
  // Unknown names keep an index when one shows, and kind 'other'
  ['encoder.blocks.3.conv_module.pointwise.weight', 3, 'other'],
  ['classifier.weight', null, 'other'],
];

describe('classifyLayer', () => {
  it.each(TABLE)('%s -> layer %s, %s', (name, index, kind) => {
    expect(classifyLayer(name)).toEqual({ index, kind });
  });

  it('orders rows embeddings, then blocks by index and kind, then the head, then unknown names', () => {
    const names = [
      'lm_head.weight',
      'zz.weight',
      'transformer.h.10.mlp.c_fc.weight',
      'transformer.h.2.attn.c_proj.weight',
      'transformer.h.2.attn.c_attn.weight',
      'transformer.wte.weight',
    ];
    expect([...names].sort(compareLayers)).toEqual([
      'transformer.wte.weight',
      'transformer.h.2.attn.c_attn.weight',
      'transformer.h.2.attn.c_proj.weight',
      'transformer.h.10.mlp.c_fc.weight',
      'lm_head.weight',
      'zz.weight',
    ]);
    expect(names.map(layerLabel)).toEqual(['head', 'zz', '10.up', '2.o', '2.qkv', 'embed']);
  });
});
