/**
 * BPE tokenizers from a Hugging Face `tokenizer.json` (GPT-2 style byte-level BPE and others), run by
 * @huggingface/tokenizers (pure JS). Only the BPE model is accepted: the corpus pipeline is for BPE
 * vocabularies, and other model types are refused by name rather than half supported.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { invalid } from '../../../../shared/api/errors';
import { readDataFile } from '../read-file';
import { DOCUMENT_SEPARATOR, type TextTokenizer } from './tokenizers';
import { decodeUtf8 } from './utf8';

/** End-of-text tokens used as the document separator when the vocabulary has one. */
const END_OF_TEXT = ['<|endoftext|>', '</s>', '<eos>', '<|end_of_text|>'];

export interface BpeTokenizer extends TextTokenizer {
  readonly kind: 'bpe';
  readonly source: string;
  /** The token string of an id (undefined outside the vocabulary). */
  tokenOf(id: number): string | undefined;
}

/** Builds a BPE tokenizer from parsed tokenizer.json contents; `source` names the file in errors. */
export function bpeTokenizerFromJson(json: unknown, source: string): BpeTokenizer {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('not a tokenizer.json (expected a JSON object)');
  const model = (json as { model?: unknown }).model;
  if (typeof model !== 'object' || model === null) throw fail("not a tokenizer.json (no 'model' object)");
  const type = (model as { type?: unknown }).type;
  if (type !== 'BPE') {
    throw fail(`unsupported tokenizer model type '${String(type)}' (only 'BPE' is supported, e.g. GPT-2 style byte-level BPE)`);
  }
  const { vocab, merges } = model as { vocab?: unknown; merges?: unknown };
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) throw fail('BPE model has no vocab object');
  if (!Array.isArray(merges)) throw fail('BPE model has no merges list');
  // The library reads these fields unguarded; absent ones mean "none" in the Rust crate.
  const full = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json };
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(full, {});
  } catch (err) {
    throw fail(`cannot build the tokenizer (${(err as Error).message})`);
  }
  const vocabMap = tok.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocabMap.values()) {
    if (!Number.isInteger(id) || id < 0) throw fail(`vocab holds a bad id ${id}`);
    vocabSize = Math.max(vocabSize, id + 1);
  }
  const encode = (text: string): Int32Array => {
    const ids = tok.encode(text, { add_special_tokens: false }).ids;
    const out = Int32Array.from(ids);
    // An unknown piece with no unk_token comes back as undefined -> 0 silently; refuse it instead.
    for (let i = 0; i < ids.length; i++) {
      if (typeof ids[i] !== 'number' || ids[i] < 0 || ids[i] >= vocabSize) {
        throw fail(`text holds a piece outside the vocabulary: ${JSON.stringify(text.slice(0, 40))}`);
      }
    }
    return out;
  };
  const eot = END_OF_TEXT.map((t) => tok.token_to_id(t)).find((id) => id !== undefined);
  return {
    kind: 'bpe',
    source,
    vocabSize,
    encode,
    decode: (ids) => {
      // Runs of valid ids decode together (byte-level tokens may split a character); bad ids become U+FFFD.
      let out = '';
      let run: number[] = [];
      for (const id of Array.from(ids)) {
        if (Number.isInteger(id) && id >= 0 && id < vocabSize && tok.id_to_token(id) !== undefined) run.push(id);
        else {
          out += (run.length ? tok.decode(run) : '') + '\ufffd';
          run = [];
        }
      }
      return out + (run.length ? tok.decode(run) : '');
    },
    separator: eot !== undefined ? Int32Array.of(eot) : encode(DOCUMENT_SEPARATOR),
    tokenOf: (id) => tok.id_to_token(id),
  };
}

/** Reads a tokenizer.json file (UTF-8 JSON) into a BPE tokenizer. */
export function readBpeTokenizer(path: string): BpeTokenizer {
  const text = decodeUtf8(readDataFile(path), path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid(`${path}: not valid JSON (${(err as Error).message})`, { source: path });
  }
  return bpeTokenizerFromJson(json, path);
}
