import type { TensorInfo } from './import-types';

/** A Hugging Face GPT-2 checkpoint read as Plateau's `gpt` family: its settings and the weights' names. */
export interface Gpt2Match {
  kind: 'gpt';
  model: { kind: 'gpt'; layers: number; dModel: number; heads: number; mlpWidth: number; positions: number; tiedHead: boolean };
  vocab: number;
  /** Plateau weight name -> the checkpoint's name. */
  names: Record<string, string>;
}

const BLOCK_PARTS = [
  'ln_1.weight',
  'ln_1.bias',
  'attn.c_attn.weight',
  'attn.c_attn.bias',
  'attn.c_proj.weight',
  'attn.c_proj.bias',
  'ln_2.weight',
  'ln_2.bias',
  'mlp.c_fc.weight',
  'mlp.c_fc.bias',
  'mlp.c_proj.weight',
  'mlp.c_proj.bias',
];

/**
 * Recognises GPT-2's names (GPT2LMHeadModel's `transformer.h.0.attn.c_attn.weight`, or GPT2Model's
 * `h.0...` without the prefix; `lm_head.weight` only when untied) with shapes that fit together. The head
 * count is not in the weights: it comes from the checkpoint's config.json (`n_head` or
 * `num_attention_heads`); without it, `why` says so.
 */
export function matchGpt2(
  tensors: readonly Pick<TensorInfo, 'name' | 'shape'>[],
  settings: Record<string, unknown> = {},
): Gpt2Match | { why: string } | null {
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  const prefix = shapes.has('transformer.wte.weight') ? 'transformer.' : shapes.has('wte.weight') ? '' : null;
  if (prefix === null) return null;
  const wte = shapes.get(`${prefix}wte.weight`)!;
  const wpe = shapes.get(`${prefix}wpe.weight`);
  if (wte.length !== 2 || !wpe || wpe.length !== 2) return null;
  const [vocab, d] = wte;
  let layers = 0;
  while (shapes.has(`${prefix}h.${layers}.attn.c_attn.weight`)) layers++;
  if (layers === 0) return null;
  const names: Record<string, string> = {
    'transformer.wte.weight': `${prefix}wte.weight`,
    'transformer.wpe.weight': `${prefix}wpe.weight`,
    'transformer.ln_f.weight': `${prefix}ln_f.weight`,
    'transformer.ln_f.bias': `${prefix}ln_f.bias`,
  };
  for (let l = 0; l < layers; l++) for (const p of BLOCK_PARTS) names[`transformer.h.${l}.${p}`] = `${prefix}h.${l}.${p}`;
  const tiedHead = !shapes.has('lm_head.weight');
  if (!tiedHead) names['lm_head.weight'] = 'lm_head.weight';
  const missing = Object.values(names).filter((n) => !shapes.has(n));
  if (missing.length)
    return { why: `it has GPT-2's names but lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}` };
  const fc = shapes.get(`${prefix}h.0.mlp.c_fc.weight`)!;
  const want: Record<string, number[]> = {
    [`${prefix}wpe.weight`]: [wpe[0], d],
    [`${prefix}h.0.attn.c_attn.weight`]: [d, 3 * d],
    [`${prefix}h.0.mlp.c_fc.weight`]: [d, fc[1]],
    ...(tiedHead ? {} : { 'lm_head.weight': [vocab, d] }),
  };
  for (const [n, s] of Object.entries(want)) {
    if (shapes.get(n)!.join('x') !== s.join('x'))
      return { why: `'${n}' has shape ${shapes.get(n)!.join('x')}, GPT-2 would have ${s.join('x')}` };
  }
  const heads = Number(settings.n_head ?? settings.num_attention_heads);
  if (!Number.isInteger(heads) || heads < 1) return { why: 'its config.json names no head count (n_head), which the weights do not show' };
  if (d % heads !== 0) return { why: `config.json's n_head=${heads} does not divide the width ${d}` };
  return { kind: 'gpt', model: { kind: 'gpt', layers, dModel: d, heads, mlpWidth: fc[1], positions: wpe[0], tiedHead }, vocab, names };
}
