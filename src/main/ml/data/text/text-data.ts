/**
 * A language-modelling dataset from its config: documents (files or Debian fortunes) split by document
 * with the seed, a tokenizer (bytes, chars of the training split, or BPE), and [n, T] input windows with
 * next-token targets per split. Pure data: what the training loop feeds once it takes sequence targets.
 */
import { invalid } from '../../../../shared/api/errors';
import type { TextDatasetConfig } from '../../../../shared/domain/dataset-config';
import { readBpeTokenizer } from './bpe';
import { readCorpus, splitDocuments, type TextDocument } from './corpus';
import { DEBIAN_FORTUNES_DIR, readFortunes } from './fortunes';
import { byteTokenizer, charTokenizerFor, type TextTokenizer } from './tokenizers';
import { encodeDocuments, packWindows, type TokenWindows } from './windows';

export interface TextData {
  train: TokenWindows;
  test: TokenWindows;
  /** Named evaluation sets, tokenized like the training split. */
  evalSets: Record<string, TokenWindows>;
  tokenizer: TextTokenizer;
  vocabSize: number;
  meta: { source: string; documents: { train: number; test: number }; tokens: { train: number; test: number } };
}

export interface TextDataOptions {
  /** Where the fortunes databases are (tests point it at a fixture). */
  fortunesRoot?: string;
}

function tokenizerFor(config: TextDatasetConfig, train: readonly TextDocument[]): TextTokenizer {
  switch (config.tokenizer) {
    case 'bytes':
      return byteTokenizer();
    case 'chars':
      return charTokenizerFor(train.map((d) => d.text));
    case 'bpe':
      if (!config.tokenizerPath) {
        throw invalid("dataset.tokenizerPath: must be the tokenizer.json path for tokenizer 'bpe'", { field: 'dataset.tokenizerPath' });
      }
      return readBpeTokenizer(config.tokenizerPath);
  }
}

/** The first `size` windows (rows of [n, T]); more than the split holds is an error naming the field. */
function firstWindows(w: TokenWindows, size: number | undefined, field: string): TokenWindows {
  if (size === undefined) return w;
  if (size > w.n) throw invalid(`${field} must be in [1, ${w.n}] (windows of ${w.T} tokens in the split)`, { field, value: size });
  return { inputs: w.inputs.slice(0, size * w.T), targets: w.targets.slice(0, size * w.T), n: size, T: w.T };
}

export function buildTextData(config: TextDatasetConfig, seed: number, options: TextDataOptions = {}): TextData {
  let source: string;
  let docs: TextDocument[];
  if (config.path !== undefined) {
    source = config.path;
    docs = readCorpus(config.path, config.documents);
  } else if (config.fortunes !== undefined) {
    const root = options.fortunesRoot ?? DEBIAN_FORTUNES_DIR;
    source = `fortunes '${config.fortunes}' in ${root}`;
    docs = readFortunes(config.fortunes, root);
  } else {
    throw invalid('dataset: give exactly one of path (a text file or folder) and fortunes (a language code)', { field: 'dataset.path' });
  }
  const split = splitDocuments(docs, config.testFraction, seed, source);
  const tokenizer = tokenizerFor(config, split.train);
  const trainStream = encodeDocuments(split.train, tokenizer);
  const testStream = encodeDocuments(split.test, tokenizer);
  const T = config.contextLength;
  const label = (side: 'train' | 'test') => `${source} (${side} split, ${split[side].length} documents)`;
  const evalSets: Record<string, TokenWindows> = {};
  config.evalSets.forEach((e, i) => {
    const field = `dataset.evalSets.${i}`;
    if (e.fortunes !== undefined && e.fortunes === config.fortunes) {
      throw invalid(`${field}: '${e.fortunes}' is the training language; its held-out documents are the test split`, { field });
    }
    const root = options.fortunesRoot ?? DEBIAN_FORTUNES_DIR;
    const where = e.path ?? `fortunes '${e.fortunes}' in ${root}`;
    const setDocs = e.path !== undefined ? readCorpus(e.path, e.documents) : readFortunes(e.fortunes!, root);
    const windows = packWindows(encodeDocuments(setDocs, tokenizer), T, `${where} (evaluation set, ${setDocs.length} documents)`);
    evalSets[e.name ?? e.fortunes!] = firstWindows(windows, e.size, `${field}.size`);
  });
  return {
    train: firstWindows(packWindows(trainStream, T, label('train')), config.trainSize, 'dataset.trainSize'),
    test: firstWindows(packWindows(testStream, T, label('test')), config.testSize, 'dataset.testSize'),
    evalSets,
    tokenizer,
    vocabSize: tokenizer.vocabSize,
    meta: {
      source,
      documents: { train: split.train.length, test: split.test.length },
      tokens: { train: trainStream.length, test: testStream.length },
    },
  };
}
