import { invalid } from '../../../shared/api/errors';
import type { ModelConfig } from '../../../shared/domain/train-config';
import type { Dataset } from '../data/dataset';
import type { Rng } from '../data/prng';
import { mlp } from './mlp';
import type { Model } from './model';
import { quadraticMlp } from './quadratic-mlp';

/** Builds the model a (validated) config describes for a dataset's input and class counts. */
export function makeModel(config: ModelConfig, ds: Dataset, rng: Rng): Model {
  switch (config.kind) {
    case 'quadratic-mlp':
      if (!ds.tokens || ds.tokens.length !== 2) {
        throw invalid("model.kind 'quadratic-mlp' needs a two-token dataset (dataset.kind 'modular')", { field: 'model.kind' });
      }
      return quadraticMlp(rng, { vocab: ds.tokens.vocab, numClasses: ds.numClasses, width: config.width, initStd: config.initStd });
    case 'mlp':
      return mlp(rng, { inputDim: ds.inputDim, numClasses: ds.numClasses, ...config });
  }
}
