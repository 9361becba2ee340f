/**
 * Token streams and their context windows for next-token prediction: documents are encoded and joined by
 * the tokenizer's separator, then cut into non-overlapping windows of T inputs, each with the T tokens that
 * follow them as targets (targets = inputs shifted by one, so a window reads T + 1 tokens of the stream).
 */
import { invalid } from '../../../../shared/api/errors';
import type { TextDocument } from './corpus';
import type { TextTokenizer } from './tokenizers';

/** One stream: every document's tokens, the separator between consecutive documents. */
export function encodeDocuments(docs: readonly TextDocument[], tokenizer: TextTokenizer): Int32Array {
  const parts = docs.map((d) => tokenizer.encode(d.text));
  const sep = tokenizer.separator;
  const total = parts.reduce((a, p) => a + p.length, 0) + sep.length * Math.max(0, parts.length - 1);
  const out = new Int32Array(total);
  let o = 0;
  parts.forEach((p, i) => {
    if (i > 0) {
      out.set(sep, o);
      o += sep.length;
    }
    out.set(p, o);
    o += p.length;
  });
  return out;
}

export interface TokenWindows {
  /** [n, T] row-major: window i is inputs[i*T .. (i+1)*T). */
  inputs: Int32Array;
  /** [n, T]: targets[i*T + t] = stream[i*T + t + 1], the token after inputs[i*T + t]. */
  targets: Int32Array;
  n: number;
  T: number;
}

/**
 * Packs a stream into n = floor((length - 1) / T) windows of stride T; the tail that does not fill a
 * window is dropped. A stream shorter than one window (T + 1 tokens) is an error naming its source.
 */
export function packWindows(stream: Int32Array, T: number, source: string): TokenWindows {
  if (!Number.isInteger(T) || T < 1) {
    throw invalid(`context window must be a positive integer, got ${T}`, { field: 'contextLength', value: T });
  }
  const n = Math.floor((stream.length - 1) / T);
  if (n < 1) {
    const need = `needs ${T + 1}: ${T} inputs and the next token`;
    throw invalid(`${source}: ${stream.length} tokens is shorter than one context window (${need})`, {
      source,
      tokens: stream.length,
      contextLength: T,
    });
  }
  const inputs = stream.slice(0, n * T);
  const targets = stream.slice(1, n * T + 1);
  return { inputs, targets, n, T };
}
