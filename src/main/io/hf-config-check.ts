// A config.json that contradicts its tensors (a config copied from another size, shards from another
// model) would import a run whose stated architecture is false: refused, naming the setting and the tensor.
import { invalid } from '../../shared/api/errors';
import { classifyLayer } from '../../shared/domain/layer-names';
import type { ImportScalar, TensorInfo } from './import-types';

/** The first of `keys` the config sets to a positive integer. */
function setting(config: Record<string, ImportScalar>, keys: readonly string[]): [string, number] | null {
  for (const k of keys) {
    const v = config[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return [k, v];
  }
  return null;
}

const HIDDEN = ['hidden_size', 'n_embd', 'd_model', 'dim'];
/** Models whose embedding is narrower than the hidden size (OPT-350m, ALBERT) say so in one of these. */
const EMBED_WIDTH = ['word_embed_proj_dim', 'embedding_size'];
const VOCAB = ['vocab_size', 'n_vocab'];
const LAYERS = ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'];

/**
 * Checks a Hugging Face config against the checkpoint's tensors: the token embedding's (and head's)
 * width is the hidden size and its rows the vocabulary, and the blocks the tensors name are as many as
 * the config's layers. Throws a PlateauError naming `configPath`, the setting and the tensor.
 */
export function checkConfigAgainstTensors(configPath: string, config: Record<string, ImportScalar>, tensors: readonly TensorInfo[]): void {
  const hidden = setting(config, EMBED_WIDTH) ?? setting(config, HIDDEN);
  const vocab = setting(config, VOCAB);
  const layers = setting(config, LAYERS);
  const fail = (what: string, t: TensorInfo, problem: string) =>
    invalid(`${configPath}: ${what}, but tensor '${t.name}' ${problem} (shape ${t.shape.join('x')})`, {
      source: configPath,
      tensor: t.name,
    });
  for (const t of tensors) {
    if (t.shape.length !== 2) continue;
    const { kind } = classifyLayer(t.name);
    if (kind !== 'embed' && kind !== 'head') continue;
    // nn.Embedding and nn.Linear(hidden, vocab) both store vocab x hidden
    const [rows, cols] = t.shape;
    if (vocab && rows !== vocab[1]) throw fail(`${vocab[0]} is ${vocab[1]}`, t, `has ${rows} rows`);
    if (hidden && cols !== hidden[1]) throw fail(`${hidden[0]} is ${hidden[1]}`, t, `is ${cols} wide`);
  }
  if (!layers) return;
  let top: { index: number; t: TensorInfo } | null = null;
  for (const t of tensors) {
    const { index, kind } = classifyLayer(t.name);
    if (index !== null && kind !== 'other' && (!top || index > top.index)) top = { index, t };
  }
  // Extra blocks beyond the config's count are allowed where it names them (DeepSeek-V3's multi-token-prediction layers).
  const extra = setting(config, ['num_nextn_predict_layers'])?.[1] ?? 0;
  if (top && (top.index + 1 < layers[1] || top.index + 1 > layers[1] + extra)) {
    const problem = top.index + 1 > layers[1] ? `belongs to block ${top.index}` : `is in the last block, ${top.index}`;
    throw fail(`${layers[0]} is ${layers[1]}`, top.t, `${problem}, so the tensors hold ${top.index + 1} blocks`);
  }
}
