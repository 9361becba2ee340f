import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bpeTokenizerFromJson, readBpeTokenizer } from './bpe';
import { byteTokenizer, charTokenizerFor, UNK } from './tokenizers';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/text');
const dir = mkdtempSync(join(tmpdir(), 'plateau-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SAMPLES = ['', 'plain ascii', 'naïve café — Ünïcödé', '漢字かな交じり', 'emoji 🙂👍🏽 and \u0000 nul', 'tabs\tand\r\nCRLF'];

describe('byte tokenizer', () => {
  it('has 256 ids, encodes to the UTF-8 bytes and round-trips any text', () => {
    const t = byteTokenizer();
    expect(t.vocabSize).toBe(256);
    expect(Array.from(t.encode('aé€'))).toEqual([0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    for (const s of SAMPLES) expect(t.decode(t.encode(s))).toBe(s);
    expect(Array.from(t.separator)).toEqual([10, 10]);
  });

  it('decodes ids outside [0, 256) and broken sequences to U+FFFD instead of throwing', () => {
    const t = byteTokenizer();
    expect(t.decode([0x61, 300, 0x62, -1])).toBe('a\ufffdb\ufffd');
    expect(t.decode([0xc3])).toBe('\ufffd');
  });
});

describe('char tokenizer', () => {
  it('takes its vocabulary from the given texts in code-point order, <unk> = 0 for unseen', () => {
    const t = charTokenizerFor(['abba', 'c🙂']);
    // '\n' (the separator) < 'a' < 'b' < 'c' < U+1F642
    expect(t.vocab).toEqual([UNK, '\n', 'a', 'b', 'c', '🙂']);
    expect(t.vocabSize).toBe(6);
    expect(Array.from(t.encode('cab🙂'))).toEqual([4, 2, 3, 5]);
    expect(Array.from(t.encode('abz'))).toEqual([2, 3, 0]);
    expect(t.decode(t.encode('abz'))).toBe('ab\ufffd');
    expect(t.decode([1, 9])).toBe('\n\ufffd');
  });

  it('round-trips texts made of seen characters (astral ones are one token)', () => {
    const t = charTokenizerFor(SAMPLES);
    for (const s of SAMPLES) expect(t.decode(t.encode(s))).toBe(s);
    expect(t.encode('👍🏽')).toHaveLength(2); // thumbs up + skin tone modifier: two code points
  });
});

describe('BPE from tokenizer.json', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'gpt2-tiny.expected.json'), 'utf8')) as {
    vocabSize: number;
    endOfText: number;
    cases: { text: string; ids: number[] }[];
  };

  it('reproduces the ids of the independent Python BPE (make_gpt2_tiny.py) and round-trips them', () => {
    const t = readBpeTokenizer(join(FIXTURES, 'gpt2-tiny.tokenizer.json'));
    expect(t.vocabSize).toBe(expected.vocabSize);
    expect(Array.from(t.separator)).toEqual([expected.endOfText]);
    for (const c of expected.cases) {
      expect(Array.from(t.encode(c.text)), JSON.stringify(c.text)).toEqual(c.ids);
      expect(t.decode(c.ids)).toBe(c.text);
    }
    // spot checks by hand: 'the' at a start merges h+e (rank 1) before t+h (rank 3); ' the' is one token
    expect(t.tokenOf(expected.cases[1].ids[1])).toBe('he');
    // 'Hello the world' by hand: l+l, e+ll, ell+o (no H+ello merge); Ġ+t, h+e, Ġt+he; Ġ+w, o+r, Ġw+or
    expect(expected.cases[0].ids.map((id) => t.tokenOf(id))).toEqual(['H', 'ello', 'Ġthe', 'Ġwor', 'l', 'd']);
  });

  it('reads merges in the newer pair-array form the same way', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'gpt2-tiny.tokenizer.json'), 'utf8'));
    json.model.merges = json.model.merges.map((m: string) => m.split(' '));
    const t = bpeTokenizerFromJson(json, 'pairs.json');
    for (const c of expected.cases) expect(Array.from(t.encode(c.text))).toEqual(c.ids);
  });

  it('decodes out-of-vocabulary ids to U+FFFD', () => {
    const t = readBpeTokenizer(join(FIXTURES, 'gpt2-tiny.tokenizer.json'));
    const hi = t.encode('Hello');
    expect(t.decode([...hi, 99999, ...hi])).toBe('Hello\ufffdHello');
  });

  it('refuses other model types, a missing model and bad JSON, naming the file', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'gpt2-tiny.tokenizer.json'), 'utf8'));
    const wp = { ...json, model: { type: 'WordPiece', vocab: { a: 0 }, unk_token: '[UNK]' } };
    expect(() => bpeTokenizerFromJson(wp, 'wp.json')).toThrow(
      "wp.json: unsupported tokenizer model type 'WordPiece' (only 'BPE' is supported, e.g. GPT-2 style byte-level BPE)",
    );
    expect(() => bpeTokenizerFromJson({ ...json, model: { ...json.model, type: 'Unigram' } }, 'u.json')).toThrow(/'Unigram'/);
    expect(() => bpeTokenizerFromJson({ version: '1.0' }, 'x.json')).toThrow("x.json: not a tokenizer.json (no 'model' object)");
    expect(() => bpeTokenizerFromJson([], 'arr.json')).toThrow('arr.json: not a tokenizer.json (expected a JSON object)');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"model": ');
    expect(() => readBpeTokenizer(bad)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON \\(`));
    expect(() => readBpeTokenizer(join(dir, 'missing.json'))).toThrow(`${join(dir, 'missing.json')}: no such file`);
  });

  it('wraps errors of the library (an unknown pre-tokenizer) with the file name', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'gpt2-tiny.tokenizer.json'), 'utf8'));
    expect(() => bpeTokenizerFromJson({ ...json, pre_tokenizer: { type: 'Nonesuch' } }, 't.json')).toThrow(
      't.json: cannot build the tokenizer (Unknown PreTokenizer type: Nonesuch)',
    );
  });
});
