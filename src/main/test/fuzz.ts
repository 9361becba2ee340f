// Seeded mutations of real files for the import fuzz suite: blind byte edits (flips, truncation,
// insertion, deletion) and edits that know the format (a safetensors or .npy header, a zip member
// re-zipped with a valid CRC so the mutation reaches the parser behind the checksum).
import { unzipSync, zipSync } from 'fflate';

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Values that sit on edges: zero, all ones, sign bits, one past a power of two. */
const EDGE_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x7b, 0x7d, 0x22, 0x2c];

export interface Mutation {
  what: string;
  bytes: Uint8Array;
}

/** One blind mutation of `b`, described so a failure can be reproduced by eye. */
export function mutateBytes(r: Rand, b: Uint8Array): Mutation {
  const out = b.slice();
  switch (
    b.length === 0 ? 3 : int(r, 5) // an empty member can only grow
  ) {
    case 0: {
      const n = 1 + int(r, 4);
      const at: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = int(r, out.length);
        out[i] ^= 1 << int(r, 8);
        at.push(i);
      }
      return { what: `bit flips at ${at.join(',')}`, bytes: out };
    }
    case 1: {
      const i = int(r, out.length);
      out[i] = pick(r, EDGE_BYTES);
      return { what: `byte ${i} set to 0x${out[i].toString(16)}`, bytes: out };
    }
    case 2: {
      const n = int(r, b.length);
      return { what: `truncated to ${n} bytes`, bytes: b.slice(0, n) };
    }
    case 3: {
      const i = int(r, b.length + 1);
      const extra = Uint8Array.from({ length: 1 + int(r, 16) }, () => int(r, 256));
      return { what: `${extra.length} bytes inserted at ${i}`, bytes: splice(b, i, 0, extra) };
    }
    default: {
      const i = int(r, b.length);
      const n = 1 + int(r, Math.min(16, b.length - i));
      return { what: `${n} bytes deleted at ${i}`, bytes: splice(b, i, n, new Uint8Array(0)) };
    }
  }
}

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Numbers a header edit puts in place of one of its own: edges of every integer width and of JSON. */
const EDGE_NUMBERS = [
  '0',
  '-1',
  '1',
  '3',
  '255',
  '65536',
  '2147483647',
  '4294967296',
  '9007199254740993',
  '1e308',
  '1.5',
  '-0',
  '[]',
  'null',
  '"8"',
];

/** Replaces one number in a text header (a shape, an offset) with an edge value. */
export function editNumber(r: Rand, text: string): { what: string; text: string } {
  const nums = [...text.matchAll(/-?\d+(\.\d+)?/g)];
  if (nums.length === 0) return { what: 'no number to edit', text };
  const m = pick(r, nums);
  const v = pick(r, EDGE_NUMBERS);
  return { what: `number '${m[0]}' at ${m.index} -> ${v}`, text: text.slice(0, m.index) + v + text.slice(m.index! + m[0].length) };
}

/** Replaces one quoted word (a dtype, a key) with another from the header, or with a stranger. */
export function editWord(r: Rand, text: string): { what: string; text: string } {
  const words = [...text.matchAll(/(["'])([^"']*)\1/g)];
  if (words.length === 0) return { what: 'no word to edit', text };
  const m = pick(r, words);
  const v = int(r, 2) ? pick(r, words)[2] : pick(r, ['', '__proto__', 'constructor', 'F8_E4M3', '<c16', 'O', '|V8', 'x'.repeat(300)]);
  return { what: `word '${m[2]}' -> '${v.slice(0, 20)}'`, text: text.slice(0, m.index! + 1) + v + text.slice(m.index! + 1 + m[2].length) };
}

/** A safetensors file with its JSON header edited; the length prefix follows the edit (or, sometimes, not). */
export function editSafetensorsHeader(r: Rand, b: Uint8Array): Mutation {
  const len = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  const header = new TextDecoder().decode(b.subarray(8, 8 + len));
  const e = int(r, 2) ? editNumber(r, header) : editWord(r, header);
  const json = new TextEncoder().encode(e.text);
  const out = new Uint8Array(8 + json.length + b.length - 8 - len);
  const keepLen = int(r, 5) === 0;
  new DataView(out.buffer).setBigUint64(0, BigInt(keepLen ? len : json.length), true);
  out.set(json, 8);
  out.set(b.subarray(8 + len), 8 + json.length);
  return { what: `header: ${e.what}${keepLen ? ' (length prefix left as it was)' : ''}`, bytes: out };
}

/** A .npy file with its header dict edited, the 2-byte length (version 1) following the edit. */
export function editNpyHeader(r: Rand, b: Uint8Array): Mutation {
  const len = new DataView(b.buffer, b.byteOffset).getUint16(8, true);
  const header = new TextDecoder('latin1').decode(b.subarray(10, 10 + len));
  const e = int(r, 2) ? editNumber(r, header) : editWord(r, header);
  const text = e.text.length > 0xffff ? e.text.slice(0, 0xffff) : e.text;
  const out = new Uint8Array(10 + text.length + b.length - 10 - len);
  out.set(b.subarray(0, 8));
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i) & 0xff;
  out.set(b.subarray(10 + len), 10 + text.length);
  return { what: `npy header: ${e.what}`, bytes: out };
}

/**
 * Re-zips `zip` with one member mutated by `mutate` (its CRC then matches, so the bytes reach the
 * member's own parser); members are stored, as torch.save writes them.
 */
export function mutateZipMember(
  r: Rand,
  zip: Uint8Array,
  choose: (names: string[]) => string,
  mutate: (r: Rand, b: Uint8Array) => Mutation,
): Mutation {
  const members: Record<string, Uint8Array> = unzipSync(zip);
  const name = choose(Object.keys(members));
  const m = mutate(r, members[name]);
  members[name] = m.bytes;
  return { what: `member ${name}: ${m.what}`, bytes: zipSync(members, { level: 0 }) };
}

/** Pickle opcodes with a fixed-width integer argument (ints, lengths, memo slots), and that width. */
const PICKLE_INT_ARGS = new Map([
  [0x4b, 1],
  [0x4d, 2],
  [0x4a, 4],
  [0x8c, 1],
  [0x58, 4],
  [0x71, 1],
  [0x68, 1],
  [0x72, 4],
  [0x6a, 4],
  [0x43, 1],
  [0x42, 4],
]);

/**
 * Sets the argument of one integer-carrying pickle opcode (a shape, stride or offset; a string length; a
 * memo index) to an edge value: the edits a blind flip rarely makes, and the ones a view's bounds must survive.
 */
export function editPickleInt(r: Rand, b: Uint8Array): Mutation {
  const at = [...b.keys()].filter((i) => PICKLE_INT_ARGS.has(b[i]) && i + PICKLE_INT_ARGS.get(b[i])! < b.length);
  if (at.length === 0) return mutateBytes(r, b);
  const i = pick(r, at);
  const width = PICKLE_INT_ARGS.get(b[i])!;
  const out = b.slice();
  const v = pick(r, [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 1 << 20]);
  for (let k = 0; k < width; k++) out[i + 1 + k] = (v >>> (8 * k)) & 0xff;
  return { what: `pickle opcode 0x${b[i].toString(16)} at ${i}: argument -> ${v >>> 0} (${width} bytes)`, bytes: out };
}

export { pick };
