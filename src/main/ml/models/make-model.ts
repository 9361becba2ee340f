import { invalid } from '../../../shared/api/errors';
import type {
  CnnConfig,
  GptConfig,
  MlpConfig,
  ModelConfig,
  QuadraticMlpConfig,
  TransformerConfig,
} from '../../../shared/domain/train-config';
import type { Dataset } from '../data/dataset';
import type { Rng } from '../data/prng';
import { cnn } from './cnn';
import { gpt } from './gpt';
import { mlp } from './mlp';
import type { Model } from './model';
import { quadraticMlp } from './quadratic-mlp';
import { transformer } from './transformer';

/**
 * How a model family is built, beside its config schema (registered in shared/domain/train-config.ts): the
 * builder, and what it needs of the data. The Model it returns names its last layer and its features.
 */
export interface ModelBuilder<C = ModelConfig> {
  kind: string;
  /** Predicts every next token (sequence data); the others read one answer per row. */
  sequence?: boolean;
  /** Why this dataset does not fit the family, or undefined when it does. */
  misfit?: (ds: Dataset) => string | undefined;
  build: (config: C, ds: Dataset, rng: Rng) => Model;
}

const BUILDERS = new Map<string, ModelBuilder>();

/** Adds a family's builder (a plugin's too); its schema is registered in the shared model-family registry. */
export function registerModelBuilder<C>(b: ModelBuilder<C>): void {
  if (BUILDERS.has(b.kind)) throw invalid(`model.kind '${b.kind}' has a builder already`, { field: 'model.kind' });
  BUILDERS.set(b.kind, b as unknown as ModelBuilder);
}

const twoTokens = (ds: Dataset) => (ds.tokens?.length === 2 ? undefined : "it needs a two-token dataset (dataset.kind 'modular')");
const rows = (ds: Dataset) => (ds.tokens ? "it needs image rows (dataset.kind 'idx', 'npz', 'npy' or 'csv'), not tokens" : undefined);
const tokens = (ds: Dataset) => (ds.tokens ? undefined : "it needs a token dataset (dataset.kind 'modular')");
const text = (ds: Dataset) =>
  ds.sequence && ds.tokens ? undefined : "it predicts the next token: it needs a text dataset (dataset.kind 'text')";

registerModelBuilder<QuadraticMlpConfig>({
  kind: 'quadratic-mlp',
  misfit: twoTokens,
  build: (c, ds, rng) => quadraticMlp(rng, { vocab: ds.tokens!.vocab, numClasses: ds.numClasses, width: c.width, initStd: c.initStd }),
});
registerModelBuilder<MlpConfig>({
  kind: 'mlp',
  build: (c, ds, rng) => mlp(rng, { inputDim: ds.inputDim, numClasses: ds.numClasses, ...c }),
});
registerModelBuilder<CnnConfig>({
  kind: 'cnn',
  misfit: rows,
  build: (c, ds, rng) => cnn(rng, { inputDim: ds.inputDim, numClasses: ds.numClasses, ...c }),
});
registerModelBuilder<TransformerConfig>({
  kind: 'transformer',
  misfit: tokens,
  build: (c, ds, rng) => transformer(rng, { vocab: ds.tokens!.vocab, length: ds.tokens!.length, numClasses: ds.numClasses, ...c }),
});
registerModelBuilder<GptConfig>({
  kind: 'gpt',
  sequence: true,
  misfit: text,
  build: (c, ds, rng) => gpt(rng, { vocab: ds.tokens!.vocab, length: ds.tokens!.length, ...c }),
});

/** Builds the model a (validated) config describes for a dataset's input and class counts. */
export function makeModel(config: ModelConfig, ds: Dataset, rng: Rng): Model {
  const kind = config.kind;
  const b = BUILDERS.get(kind);
  if (!b) throw invalid(`model.kind '${kind}' has no builder in this process (is its plugin loaded here?)`, { field: 'model.kind' });
  const why =
    ds.sequence && !b.sequence ? "it reads one answer per row; text predicts every next token: use model.kind 'gpt'" : b.misfit?.(ds);
  if (why) throw invalid(`model.kind '${kind}' does not fit this dataset: ${why}`, { field: 'model.kind' });
  return b.build(config, ds, rng);
}
