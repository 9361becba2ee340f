/**
 * Tokenizers for language-model corpora: UTF-8 bytes (256 ids, the default: round-trips any text) and
 * characters (a vocabulary of the training split's code points plus <unk>). BPE lives in bpe.ts.
 */
import type { TEXT_TOKENIZERS } from '../../../../shared/domain/dataset-config';

export type TokenizerKind = (typeof TEXT_TOKENIZERS)[number];

export interface TextTokenizer {
  readonly kind: TokenizerKind;
  /** Ids are in [0, vocabSize). */
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  /** Ids outside the vocabulary decode to U+FFFD, never throw (decoding sampled model output must be total). */
  decode(ids: ArrayLike<number>): string;
  /** Ids put between documents when they are concatenated into one stream. */
  readonly separator: Int32Array;
}

/** Documents are joined by a blank line when the tokenizer has no end-of-text token. */
export const DOCUMENT_SEPARATOR = '\n\n';

const utf8 = new TextEncoder();
const lenient = new TextDecoder('utf-8');

export function byteTokenizer(): TextTokenizer {
  return {
    kind: 'bytes',
    vocabSize: 256,
    encode: (text) => {
      const b = utf8.encode(text);
      return Int32Array.from(b);
    },
    // 0xff is never valid UTF-8, so an out-of-range id decodes to U+FFFD like any bad byte
    decode: (ids) => lenient.decode(Uint8Array.from(ids, (id) => (id >= 0 && id < 256 ? id : 0xff))),
    separator: Int32Array.from(utf8.encode(DOCUMENT_SEPARATOR)),
  };
}

export const UNK = '<unk>';

export interface CharTokenizer extends TextTokenizer {
  /** vocab[id] is the code point of id; vocab[0] is <unk>. */
  readonly vocab: readonly string[];
}

/**
 * Character tokenizer over code points: id 0 is <unk> (any character not in `vocab`), ids 1.. are the
 * given characters in code-point order. Build it from the training split only (charTokenizerFor), so the
 * test split measures unseen characters honestly as <unk>.
 */
export function charTokenizer(chars: Iterable<string>): CharTokenizer {
  const sorted = [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const vocab = [UNK, ...sorted];
  const ids = new Map<string, number>(sorted.map((c, i) => [c, i + 1]));
  const encode = (text: string) => {
    const out: number[] = [];
    for (const ch of text) out.push(ids.get(ch) ?? 0);
    return Int32Array.from(out);
  };
  return {
    kind: 'chars',
    vocabSize: vocab.length,
    vocab,
    encode,
    decode: (xs) => Array.from(xs, (id) => (id >= 1 && id < vocab.length ? vocab[id] : '\ufffd')).join(''),
    separator: encode(DOCUMENT_SEPARATOR),
  };
}

/** The character vocabulary of some texts (the training split), the document separator included. */
export function charTokenizerFor(texts: Iterable<string>): CharTokenizer {
  const seen = new Set<string>(DOCUMENT_SEPARATOR);
  for (const t of texts) for (const ch of t) seen.add(ch);
  return charTokenizer(seen);
}
