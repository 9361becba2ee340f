import type { TextDatasetConfig } from '../../../../shared/domain/dataset-config';
import type { Dataset, Split } from '../dataset';
import { buildTextData, type TextDataOptions } from './text-data';
import type { TokenWindows } from './windows';

const asSplit = (w: TokenWindows): Split => ({ inputs: w.inputs, labels: w.targets, n: w.n });

/**
 * A text corpus as a training dataset: rows are context windows of T token ids, labels the next token at
 * every position (a sequence dataset), classes the tokenizer's vocabulary; evaluation sets ride along.
 */
export function textDataset(config: TextDatasetConfig, seed: number, options: TextDataOptions = {}): Dataset {
  const data = buildTextData(config, seed, options);
  const T = config.contextLength;
  return {
    train: asSplit(data.train),
    test: asSplit(data.test),
    evalSets: Object.fromEntries(Object.entries(data.evalSets).map(([name, w]) => [name, asSplit(w)])),
    numClasses: data.vocabSize,
    inputDim: T,
    tokens: { vocab: data.vocabSize, length: T },
    sequence: true,
    meta: { ...data.meta, tokenizer: config.tokenizer, vocabSize: data.vocabSize },
  };
}
