import { invalid } from '../../../shared/api/errors';
import type { ModelConfig } from '../../../shared/domain/train-config';
import type { Dataset } from '../data/dataset';
import type { Rng } from '../data/prng';
import { cnn } from './cnn';
import { gpt } from './gpt';
import { mlp } from './mlp';
import type { Model } from './model';
import { quadraticMlp } from './quadratic-mlp';
import { transformer } from './transformer';

/** Builds the model a (validated) config describes for a dataset's input and class counts. */
export function makeModel(config: ModelConfig, ds: Dataset, rng: Rng): Model {
  if (ds.sequence && config.kind !== 'gpt') {
    throw invalid(`model.kind '${config.kind}' reads one answer per row; text predicts every next token: use model.kind 'gpt'`, {
      field: 'model.kind',
    });
  }
  switch (config.kind) {
    case 'quadratic-mlp':
      if (!ds.tokens || ds.tokens.length !== 2) {
        throw invalid("model.kind 'quadratic-mlp' needs a two-token dataset (dataset.kind 'modular')", { field: 'model.kind' });
      }
      return quadraticMlp(rng, { vocab: ds.tokens.vocab, numClasses: ds.numClasses, width: config.width, initStd: config.initStd });
    case 'mlp':
      return mlp(rng, { inputDim: ds.inputDim, numClasses: ds.numClasses, ...config });
    case 'cnn':
      if (ds.tokens)
        throw invalid("model.kind 'cnn' needs image rows (dataset.kind 'idx', 'npz', 'npy' or 'csv'), not tokens", { field: 'model.kind' });
      return cnn(rng, { inputDim: ds.inputDim, numClasses: ds.numClasses, ...config });
    case 'transformer':
      if (!ds.tokens) throw invalid("model.kind 'transformer' needs a token dataset (dataset.kind 'modular')", { field: 'model.kind' });
      return transformer(rng, { vocab: ds.tokens.vocab, length: ds.tokens.length, numClasses: ds.numClasses, ...config });
    case 'gpt':
      if (!ds.sequence || !ds.tokens)
        throw invalid("model.kind 'gpt' predicts the next token: it needs a text dataset (dataset.kind 'text')", { field: 'model.kind' });
      return gpt(rng, { vocab: ds.tokens.vocab, length: ds.tokens.length, ...config });
  }
}
