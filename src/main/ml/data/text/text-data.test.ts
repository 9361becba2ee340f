import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { textDatasetSchema, type TextDatasetConfig } from '../../../../shared/domain/dataset-config';
import { buildTextData } from './text-data';
import { byteTokenizer, UNK, type CharTokenizer } from './tokenizers';
import { encodeDocuments, packWindows } from './windows';

const dir = mkdtempSync(join(tmpdir(), 'plateau-textdata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURES = join(__dirname, '../../../../../test/fixtures/text');
const config = (c: Record<string, unknown>): TextDatasetConfig => textDatasetSchema.parse({ kind: 'text', ...c });

describe('context windows', () => {
  it('packs floor((len - 1) / T) windows with targets shifted by one', () => {
    const stream = Int32Array.from({ length: 11 }, (_, i) => 100 + i);
    const w = packWindows(stream, 3, 's');
    expect(w.n).toBe(3); // (11 - 1) / 3 = 3.33: tokens 109 and 110 only serve as the last targets / are dropped
    expect(Array.from(w.inputs)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108]);
    expect(Array.from(w.targets)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(packWindows(Int32Array.of(1, 2, 3), 2, 's').n).toBe(1); // exactly T + 1 tokens: one window
  });

  it('refuses a stream shorter than one window, naming its source', () => {
    expect(() => packWindows(Int32Array.of(1, 2), 2, 'short.txt')).toThrow(
      'short.txt: 2 tokens is shorter than one context window (needs 3: 2 inputs and the next token)',
    );
  });

  it('joins documents with the separator', () => {
    const s = encodeDocuments(
      [
        { text: 'ab', source: '' },
        { text: 'c', source: '' },
      ],
      byteTokenizer(),
    );
    expect(Array.from(s)).toEqual([97, 98, 10, 10, 99]);
  });
});

describe('text dataset', () => {
  const corpus = join(dir, 'corpus');
  mkdirSync(corpus, { recursive: true });
  // 12 documents of 11 bytes each ('document 00' ...), so byte counts are easy to follow
  for (let i = 0; i < 12; i++) writeFileSync(join(corpus, `d${String(i).padStart(2, '0')}.txt`), `document ${String(i).padStart(2, '0')}`);

  it('builds [n, T] byte windows per split, deterministic by seed', () => {
    const c = config({ path: corpus, contextLength: 8, testFraction: 0.25 });
    const d = buildTextData(c, 5);
    expect(d.meta.documents).toEqual({ train: 9, test: 3 });
    // 9 documents of 11 bytes joined by 8 two-byte separators = 115 tokens: floor(114 / 8) = 14 windows
    expect(d.meta.tokens.train).toBe(115);
    expect(d.train.n).toBe(14);
    expect(d.train.inputs).toHaveLength(14 * 8);
    expect(d.test.n).toBe(Math.floor((3 * 11 + 2 * 2 - 1) / 8));
    expect(d.vocabSize).toBe(256);
    for (let i = 0; i < d.train.inputs.length - 1; i++) expect(d.train.targets[i]).toBe(d.train.inputs[i + 1]);
    const again = buildTextData(c, 5);
    expect(Array.from(again.test.inputs)).toEqual(Array.from(d.test.inputs));
    const other = [0, 1, 2, 3].map((s) => byteTokenizer().decode(buildTextData(c, s).test.inputs));
    expect(new Set(other).size).toBeGreaterThan(1);
  });

  it('builds character vocabularies from the training split only; unseen test characters are <unk>', () => {
    // T = 1: inputs and targets together hold the whole stream, so the split's characters can be read back
    const d = buildTextData(config({ path: corpus, tokenizer: 'chars', contextLength: 1, testFraction: 0.5 }), 1);
    const vocab = (d.tokenizer as CharTokenizer).vocab;
    const trainText = d.tokenizer.decode(d.train.inputs) + d.tokenizer.decode(d.train.targets);
    expect(new Set(vocab.slice(1))).toEqual(new Set([...trainText, '\n']));
    expect(vocab[0]).toBe(UNK);
    const testIds = [...d.test.inputs, d.test.targets[d.test.n - 1]];
    const bytes = buildTextData(config({ path: corpus, contextLength: 1, testFraction: 0.5 }), 1).test;
    const testText = byteTokenizer().decode([...bytes.inputs, bytes.targets[bytes.n - 1]]);
    const unseen = [...testText].filter((ch) => !vocab.includes(ch)).length;
    expect(unseen).toBeGreaterThan(0); // this seed leaves some digits out of training
    expect(testIds.filter((id) => id === 0).length).toBe(unseen);
  });

  it('reads fortunes and BPE tokenizers', () => {
    const root = join(dir, 'fortunes');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'fortunes'), Array.from({ length: 10 }, (_, i) => `Hello the world ${i}`).join('\n%\n') + '\n%\n');
    const d = buildTextData(
      config({ fortunes: 'en', tokenizer: 'bpe', tokenizerPath: join(FIXTURES, 'gpt2-tiny.tokenizer.json'), contextLength: 4 }),
      2,
      { fortunesRoot: root },
    );
    expect(d.vocabSize).toBe(270);
    expect(d.meta.documents).toEqual({ train: 9, test: 1 });
    // 'Hello the world N' is H, ello, Ġthe, Ġwor, l, d, Ġ, N = 8 tokens; one <|endoftext|> between records
    expect(d.meta.tokens.train).toBe(9 * 8 + 8);
    expect(d.tokenizer.decode(d.test.inputs.subarray(0, 4))).toBe('Hello the wor');
  });

  it('names the file when a corpus is shorter than one window, and the package of a missing language', () => {
    const one = join(dir, 'tiny');
    mkdirSync(one, { recursive: true });
    writeFileSync(join(one, 'a.txt'), 'abc');
    writeFileSync(join(one, 'b.txt'), 'de');
    expect(() => buildTextData(config({ path: one, contextLength: 64 }), 0)).toThrow(
      /^.*tiny \((train|test) split, 1 documents\): \d tokens is shorter than one context window \(needs 65/,
    );
    expect(() => buildTextData(config({ fortunes: 'ga' }), 0, { fortunesRoot: join(dir, 'none') })).toThrow(/apt-get install fortunes-ga/);
    expect(() => buildTextData(config({ path: corpus, contextLength: 4, trainSize: 10_000 }), 0)).toThrow(
      /^dataset\.trainSize must be in \[1, \d+\]/,
    );
  });

  it('validates the config: one source, a tokenizer.json with bpe only', () => {
    const issues = (c: Record<string, unknown>) =>
      textDatasetSchema.safeParse({ kind: 'text', ...c }).error?.issues.map((i) => i.message) ?? [];
    expect(issues({})).toEqual(['give exactly one of path (a text file or folder) and fortunes (a language code)']);
    expect(issues({ path: 'a', fortunes: 'en' })).toHaveLength(1);
    expect(issues({ path: 'a', tokenizer: 'bpe' })).toEqual(["must be the tokenizer.json path for tokenizer 'bpe'"]);
    expect(issues({ path: 'a', tokenizerPath: 't.json' })).toEqual(["is only read with tokenizer 'bpe'"]);
    expect(issues({ path: 'a', tokenizer: 'wordpiece' })).toEqual(["must be one of 'bytes', 'chars', 'bpe'"]);
    expect(config({ path: 'a' })).toMatchObject({ documents: 'file', tokenizer: 'bytes', contextLength: 128, testFraction: 0.1 });
  });
});
