import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFortunes, parseParagraphs, readCorpus, splitDocuments, type TextDocument } from './corpus';
import { createRng } from '../prng';
import { decodeUtf8, firstInvalidUtf8 } from './utf8';

const dir = mkdtempSync(join(tmpdir(), 'plateau-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURE = join(__dirname, '../../../../../test/fixtures/text/tiny.fortunes');

function write(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('UTF-8', () => {
  it('finds the offset of the first ill-formed sequence (hand cases)', () => {
    const at = (...b: number[]) => firstInvalidUtf8(Uint8Array.from(b));
    expect(at(0x61, 0x62)).toBe(-1);
    expect(at(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x99, 0x82)).toBe(-1); // é € 🙂
    expect(at(0x61, 0xff)).toBe(1);
    expect(at(0x61, 0x62, 0xc0, 0x80)).toBe(2); // overlong NUL
    expect(at(0xed, 0xa0, 0x80)).toBe(0); // a UTF-16 surrogate
    expect(at(0x61, 0xe2, 0x82)).toBe(1); // truncated at the end
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // above U+10FFFF
  });

  it('agrees with TextDecoder on random bytes: valid iff it decodes, prefix before the offset decodes', () => {
    const rng = createRng(7);
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const lenient = new TextDecoder('utf-8');
    for (let k = 0; k < 2000; k++) {
      // mostly valid text with a few random bytes, so offsets land anywhere
      const text = Array.from({ length: 1 + rng.int(12) }, () => String.fromCodePoint([0x61, 0xe9, 0x20ac, 0x1f642][rng.int(4)])).join('');
      const bytes = Array.from(new TextEncoder().encode(text));
      if (rng.next() < 0.7) bytes.splice(rng.int(bytes.length + 1), 0, rng.int(256));
      const b = Uint8Array.from(bytes);
      const off = firstInvalidUtf8(b);
      let ok = true;
      try {
        fatal.decode(b);
      } catch {
        ok = false;
      }
      expect(off === -1).toBe(ok);
      if (off >= 0) {
        const prefix = fatal.decode(b.subarray(0, off));
        expect(lenient.decode(b).startsWith(prefix + '\ufffd')).toBe(true);
      }
    }
  });

  it('names the file, byte offset and line of bad bytes', () => {
    // 'ok\n' is 3 bytes, 'line two é\n' 12 (é is 2): the bad byte is at offset 15, on line 3
    const bytes = Uint8Array.from([...new TextEncoder().encode('ok\nline two é\n'), 0xff, 0x41]);
    expect(() => decodeUtf8(bytes, 'notes.txt')).toThrow(
      /^notes\.txt: not UTF-8: ill-formed byte sequence at byte offset 15 \(line 3; bytes ff 41\)$/,
    );
  });
});

describe('documents', () => {
  it('parses fortune records on the fixture (empty records dropped, inner blank lines kept)', () => {
    expect(parseFortunes(readFileSync(FIXTURE, 'utf8'))).toEqual([
      'A fool and his money\nare soon parted.',
      'Two lines,\n\nwith a blank one inside.\n\t\t-- Anon',
      'Ünïcödé: naïve café 🙂',
    ]);
  });

  it('parses fortunes with CRLF lines and without a final %', () => {
    expect(parseFortunes('one\r\n%\r\ntwo\r\nlines\r\n%\r\nthree')).toEqual(['one', 'two\r\nlines', 'three']);
    expect(parseFortunes('50% off\n%\nnot % alone\n')).toEqual(['50% off', 'not % alone']);
  });

  it('cuts paragraphs at blank lines (whitespace-only lines count)', () => {
    expect(parseParagraphs('a b\nc\n\n\nd\n  \t\ne\n')).toEqual(['a b\nc', 'd', 'e']);
  });

  it('reads a folder recursively in sorted order, one document per file or per record', () => {
    write('corpus/b.txt', 'bee\n\nbuzz');
    write('corpus/a.txt', 'ant');
    write('corpus/sub/c.txt', 'cat');
    write('corpus/.hidden', 'skipped');
    const c = join(dir, 'corpus');
    expect(readCorpus(c, 'file').map((d) => d.text)).toEqual(['ant', 'bee\n\nbuzz', 'cat']);
    const para = readCorpus(c, 'paragraph');
    expect(para.map((d) => d.text)).toEqual(['ant', 'bee', 'buzz', 'cat']);
    expect(para[2].source).toBe(`${join(c, 'b.txt')} (record 2)`);
  });

  it('refuses an empty corpus, a missing path and non-UTF-8 text by name', () => {
    mkdirSync(join(dir, 'empty'), { recursive: true });
    expect(() => readCorpus(join(dir, 'empty'), 'file')).toThrow(`${join(dir, 'empty')}: empty corpus (the folder holds no files)`);
    const blank = write('blank.txt', ' \n\n');
    expect(() => readCorpus(blank, 'file')).toThrow(`${blank}: empty corpus (no text in the file)`);
    expect(() => readCorpus(join(dir, 'nope'), 'file')).toThrow(`${join(dir, 'nope')}: no such file or folder`);
    const latin1 = write('mixed/latin1.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    write('mixed/a.txt', 'fine');
    expect(() => readCorpus(join(dir, 'mixed'), 'file')).toThrow(
      `${latin1}: not UTF-8: ill-formed byte sequence at byte offset 3 (line 1; bytes e9 0a)`,
    );
  });
});

describe('split by document', () => {
  const docs: TextDocument[] = Array.from({ length: 20 }, (_, i) => ({ text: `doc ${i}`, source: `f${i}` }));
  const ids = (d: TextDocument[]) => d.map((x) => x.source);

  it('is a partition, deterministic by seed, different across seeds, in corpus order', () => {
    const a = splitDocuments(docs, 0.25, 1, 'c');
    expect(a.test).toHaveLength(5);
    expect(a.train).toHaveLength(15);
    expect(new Set([...ids(a.train), ...ids(a.test)]).size).toBe(20);
    expect(ids(splitDocuments(docs, 0.25, 1, 'c').test)).toEqual(ids(a.test));
    expect(ids(splitDocuments(docs, 0.25, 2, 'c').test)).not.toEqual(ids(a.test));
    const order = ids(a.test).map((s) => Number(s.slice(1)));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('matches an independent Fisher-Yates draw with the same seed', () => {
    const rng = createRng(3);
    const perm = Array.from({ length: 20 }, (_, i) => i);
    for (let i = 19; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const want = perm
      .slice(0, 2)
      .sort((x, y) => x - y)
      .map((i) => `f${i}`);
    expect(ids(splitDocuments(docs, 0.1, 3, 'c').test)).toEqual(want);
  });

  it('keeps a document on each side and refuses a single document', () => {
    expect(splitDocuments(docs.slice(0, 2), 0.01, 0, 'c').test).toHaveLength(1);
    expect(splitDocuments(docs.slice(0, 2), 0.99, 0, 'c').train).toHaveLength(1);
    expect(() => splitDocuments(docs.slice(0, 1), 0.1, 0, 'one.txt')).toThrow(
      /^one\.txt: 1 document: a train\/test split by document needs at least 2/,
    );
  });
});
