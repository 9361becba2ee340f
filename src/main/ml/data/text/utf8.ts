/**
 * Strict UTF-8 decoding of corpus files: a file that is not UTF-8 is one error naming it with the byte
 * offset (and line) of the first ill-formed sequence, so the user can find it, instead of silent U+FFFD.
 */
import { invalid } from '../../../../shared/api/errors';

const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Offset of the first byte of the first ill-formed UTF-8 sequence, or -1 when all of it is well formed.
 * Follows the WHATWG decoder (the one TextDecoder uses): no overlongs, no surrogates, nothing above U+10FFFF.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return i; // truncated at the end of the file
      const x = bytes[i + k];
      if (x < lo || x > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

/** Decodes a whole file's bytes as UTF-8 (a leading BOM is dropped); `source` names the file in the error. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return fatal.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const shown = Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw invalid(`${source}: not UTF-8: ill-formed byte sequence at byte offset ${at} (line ${line}; bytes ${shown})`, {
      source,
      offset: at,
    });
  }
}
