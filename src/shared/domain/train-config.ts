/**
 * Training configuration: the one schema shared by the UI, the API and the training worker.
 * Isomorphic (zod only). Messages name the allowed range so a rejected field explains itself.
 */
import { z } from 'zod';

export const MODULAR_OPS = ['a+b', 'a-b', 'a*b', 'a/b', 'a^2+b^2', 'a^2+ab+b^2', 'a^3+ab'] as const;
export type ModularOp = (typeof MODULAR_OPS)[number];
export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'quadratic'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const NORMALIZATIONS = ['none', 'standardize'] as const;
export const LOSSES = ['ce', 'mse'] as const;
export type LossKind = (typeof LOSSES)[number];

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

const oneOf = (values: readonly string[]) => `must be one of ${values.map((v) => `'${v}'`).join(', ')}`;
const int = (min: number, max: number) =>
  z.int(`must be an integer in [${min}, ${max}]`).min(min, `must be in [${min}, ${max}]`).max(max, `must be in [${min}, ${max}]`);
const positive = () => z.number('must be a number > 0').gt(0, 'must be > 0').finite('must be finite');
const unitOpen = () => z.number('must be a number in (0, 1)').gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)');
const beta = () => z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)');
const nonNegative = () => z.number('must be a number >= 0').min(0, 'must be >= 0').finite('must be finite');

/** Options every dataset accepts. */
const dataCommon = {
  /** Fraction of training labels replaced by a different random class (test split untouched). */
  labelNoise: z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').default(0),
  /** Per-feature standardisation with the training split's mean and std (dense inputs only). */
  normalize: z.enum(NORMALIZATIONS, oneOf(NORMALIZATIONS)).default('none'),
};

export const modularDatasetSchema = z
  .object({
    kind: z.literal('modular'),
    p: int(2, 1000).default(97),
    op: z.enum(MODULAR_OPS, oneOf(MODULAR_OPS)).default('a+b'),
    trainFraction: unitOpen().default(0.3),
    ...dataCommon,
  })
  .superRefine((d, ctx) => {
    if (d.op === 'a/b' && !isPrime(d.p)) ctx.addIssue({ code: 'custom', path: ['p'], message: 'must be prime for op a/b' });
  });

export const gaussianMixtureSchema = z.object({
  kind: z.literal('gaussian-mixture'),
  classes: int(2, 1000).default(4),
  dim: int(1, 100_000).default(16),
  /** Norm of each class mean (samples have unit-variance noise around it). */
  separation: positive().default(3),
  trainSize: int(1, 10_000_000).default(1000),
  testSize: int(1, 10_000_000).default(1000),
  ...dataCommon,
});

/** Gaussian inputs labelled by a fixed random one-hidden-layer ReLU network (the teacher). */
export const teacherStudentSchema = z.object({
  kind: z.literal('teacher-student'),
  dim: int(1, 100_000).default(32),
  classes: int(2, 1000).default(4),
  teacherWidth: int(1, 100_000).default(16),
  trainSize: int(1, 10_000_000).default(1000),
  testSize: int(1, 10_000_000).default(1000),
  ...dataCommon,
});

export const sparseParitySchema = z
  .object({
    kind: z.literal('sparse-parity'),
    bits: int(1, 10_000).default(40),
    relevant: int(1, 10_000).default(3),
    trainSize: int(1, 10_000_000).default(1000),
    testSize: int(1, 10_000_000).default(1000),
    ...dataCommon,
  })
  .superRefine((d, ctx) => {
    if (d.relevant > d.bits) ctx.addIssue({ code: 'custom', path: ['relevant'], message: `must be in [1, bits=${d.bits}]` });
  });

const path = () => z.string('must be a file path').min(1, 'must be a non-empty file path');

/** Options of datasets read from files: subsets (first rows in file order) and the shared options. */
const fileData = {
  /** Use only this many training rows (default all). */
  trainSize: int(1, 1e8).optional(),
  testSize: int(1, 1e8).optional(),
  /** Subsets take the same count from every class (the first ones in file order), remainder to the lowest labels. */
  classBalanced: z.boolean().default(false),
  ...dataCommon,
};

/**
 * IDX files in the MNIST / Fashion-MNIST layout (train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-*; each raw or .gz) in `dir`. Unsigned-byte pixels are scaled to [0, 1].
 */
export const idxDatasetSchema = z.object({ kind: z.literal('idx'), dir: path(), ...fileData });

/** A .npz holding x_train, y_train, x_test, y_test (Keras' layout); inputs flattened per row. */
export const npzDatasetSchema = z.object({ kind: z.literal('npz'), path: path(), ...fileData });

/** Four .npy files; inputs [n, ...] flattened per row, labels [n] integers. */
export const npyDatasetSchema = z.object({
  kind: z.literal('npy'),
  trainInputs: path(),
  trainLabels: path(),
  testInputs: path(),
  testLabels: path(),
  ...fileData,
});

/** Two CSV files of numbers; the label is the last column, or the one named `labelColumn` in the header row. */
export const csvDatasetSchema = z.object({
  kind: z.literal('csv'),
  train: path(),
  test: path(),
  /** First row holds column names (needed for labelColumn). */
  header: z.boolean().default(false),
  labelColumn: z.string().min(1, 'must be a non-empty column name').optional(),
  ...fileData,
});

const DATASET_KINDS = ['modular', 'gaussian-mixture', 'teacher-student', 'sparse-parity', 'idx', 'npz', 'npy', 'csv'] as const;
export const datasetSchema = z.discriminatedUnion(
  'kind',
  [modularDatasetSchema, gaussianMixtureSchema, teacherStudentSchema, sparseParitySchema, idxDatasetSchema, npzDatasetSchema, npyDatasetSchema, csvDatasetSchema],
  { error: oneOf(DATASET_KINDS) },
);

export const quadraticMlpSchema = z.object({
  kind: z.literal('quadratic-mlp'),
  width: int(1, 100_000).default(128),
  /** Std of the normal init of every weight; default 0.5 / (2 * width)^(1/3). */
  initStd: positive().optional(),
});

export const mlpSchema = z.object({
  kind: z.literal('mlp'),
  /** Hidden widths; depth = hidden.length + 1 linear layers. */
  hidden: z.array(int(1, 100_000)).max(64, 'must have at most 64 hidden layers').default([512]),
  activation: z.enum(ACTIVATIONS, oneOf(ACTIVATIONS)).default('relu'),
  bias: z.boolean().default(true),
  /** Multiplies the default std gain / sqrt(fan_in) (gain sqrt(2) for relu, 1 otherwise). */
  initScale: positive().default(1),
});

/**
 * Small image CNN: [conv3x3 (padding 1) - activation - maxpool 2x2] per entry of `channels`, then a
 * dense layer of `hidden` units (the penultimate features) and the last linear layer.
 */
export const cnnSchema = z
  .object({
    kind: z.literal('cnn'),
    channels: z.array(int(1, 4096)).min(1, 'must have 1 to 4 entries').max(4, 'must have 1 to 4 entries').default([16, 32]),
    hidden: int(1, 100_000).default(128),
    activation: z.enum(ACTIVATIONS, oneOf(ACTIVATIONS)).default('relu'),
    /** Image [height, width, channels] of each flattened row (HWC order); default: square, 1 or 3 channels. */
    inputShape: z.tuple([int(1, 100_000), int(1, 100_000), int(1, 4096)]).optional(),
    /** Multiplies the default std gain / sqrt(fan_in) (gain sqrt(2) for relu, 1 otherwise). */
    initScale: positive().default(1),
  })
  .superRefine((m, ctx) => {
    const f = 2 ** m.channels.length;
    if (m.inputShape && (m.inputShape[0] % f !== 0 || m.inputShape[1] % f !== 0)) {
      ctx.addIssue({ code: 'custom', path: ['inputShape'], message: `height and width must be multiples of ${f} (one 2x2 pool per conv)` });
    }
  });

export const TRANSFORMER_NORMS = ['pre', 'post', 'none'] as const;

/**
 * Decoder-only transformer over the token sequence (a, b[, '=']): learned token and position
 * embeddings, `layers` blocks of multi-head attention + ReLU MLP with residuals and LayerNorm
 * (`norm`: 'post' as in Power et al. 2022's code, 'pre' as GPT-2, 'none' as Nanda et al. 2023),
 * unembedding read at the last position.
 */
export const transformerSchema = z
  .object({
    kind: z.literal('transformer'),
    layers: int(1, 2).default(2),
    dModel: int(1, 4096).default(128),
    heads: int(1, 64).default(4),
    mlpWidth: int(1, 16_384).default(512),
    norm: z.enum(TRANSFORMER_NORMS, oneOf(TRANSFORMER_NORMS)).default('post'),
    causal: z.boolean().default(true),
    /** Append an '=' token (id = vocab) so the answer is read at its own position, as in Power et al. */
    equalsToken: z.boolean().default(true),
    /** Biases in the attention and MLP linear layers (Power et al.'s have none). */
    bias: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    if (m.dModel % m.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide dModel=${m.dModel}` });
  });

const MODEL_KINDS = ['quadratic-mlp', 'mlp', 'cnn', 'transformer'] as const;
export const modelSchema = z.discriminatedUnion('kind', [quadraticMlpSchema, mlpSchema, cnnSchema, transformerSchema], {
  error: oneOf(MODEL_KINDS),
});

export const sgdSchema = z.object({
  kind: z.literal('sgd'),
  lr: positive(),
  momentum: beta().default(0),
  nesterov: z.boolean().default(false),
  /** Coupled L2 (added to the gradient), as in PyTorch's SGD. */
  weightDecay: nonNegative().default(0),
});

const adamFields = {
  lr: positive(),
  beta1: beta().default(0.9),
  beta2: beta().default(0.999),
  eps: positive().default(1e-8),
};
/** Adam's weightDecay is coupled L2; AdamW's is decoupled (p -= lr * wd * p before the Adam step). */
export const adamSchema = z.object({ kind: z.literal('adam'), ...adamFields, weightDecay: nonNegative().default(0) });
export const adamwSchema = z.object({ kind: z.literal('adamw'), ...adamFields, weightDecay: nonNegative().default(0.01) });

const OPTIMIZER_KINDS = ['sgd', 'adam', 'adamw'] as const;
export const optimizerSchema = z
  .discriminatedUnion('kind', [sgdSchema, adamSchema, adamwSchema], { error: oneOf(OPTIMIZER_KINDS) })
  .superRefine((o, ctx) => {
    if (o.kind === 'sgd' && o.nesterov && o.momentum === 0) {
      ctx.addIssue({ code: 'custom', path: ['momentum'], message: 'must be in (0, 1) when nesterov is on' });
    }
  });

const warmupSteps = int(0, 1e9).default(0);
const SCHEDULE_KINDS = ['constant', 'linear-warmup', 'cosine', 'step'] as const;
export const scheduleSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('constant') }),
    z.object({ kind: z.literal('linear-warmup'), warmupSteps: int(1, 1e9) }),
    z.object({
      kind: z.literal('cosine'),
      warmupSteps,
      /** Final lr as a fraction of the base lr. */
      minFactor: z.number('must be a number in [0, 1]').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0),
    }),
    z.object({
      kind: z.literal('step'),
      warmupSteps,
      stepSize: int(1, 1e9),
      gamma: z.number('must be a number in (0, 1]').gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(0.1),
    }),
  ],
  { error: oneOf(SCHEDULE_KINDS) },
);

export const checkpointScheduleSchema = z.object({
  /** Save every N optimizer steps. */
  everySteps: int(1, 1e9).optional(),
  /** Save k log-spaced steps per decade (1, 10^(1/k), ...). */
  perDecade: int(1, 1000).optional(),
  /** Also save step 0 (the init) and the final step. */
  firstAndLast: z.boolean().default(true),
});

export const INTERVENTION_KINDS = ['fam', 'anti-flatness', 'anti-collapse'] as const;
export type InterventionKind = (typeof INTERVENTION_KINDS)[number];

/**
 * An extra loss term on each batch (Han et al. 2025), active for epochs fromEpoch..toEpoch (inclusive):
 * 'fam' adds +lambda * kappa_fam, 'anti-flatness' adds -lambda * flatness_bound, 'anti-collapse' adds
 * -lambda * cdnv (METRICS.md definitions on the batch's penultimate features and last layer).
 */
export const interventionSchema = z
  .object({
    kind: z.enum(INTERVENTION_KINDS, oneOf(INTERVENTION_KINDS)),
    lambda: nonNegative(),
    fromEpoch: int(1, 1e7).default(1),
    /** Last active epoch; default: to the end of the run. */
    toEpoch: int(1, 1e7).optional(),
    /** Softmax temperature inside the term only (p = softmax(z / T)); > 1 keeps the term's gradient alive. */
    temperature: positive().default(1),
    /** Features scaled to unit L2 norm inside the term only (logits of the term recomputed from them). */
    unitNormFeatures: z.boolean().default(false),
    /** While active, project the last layer's weight onto ||W||_F <= this after every step. */
    maxClassifierNorm: positive().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.toEpoch !== undefined && t.toEpoch < t.fromEpoch) {
      ctx.addIssue({ code: 'custom', path: ['toEpoch'], message: `must be in [fromEpoch=${t.fromEpoch}, 1e7]` });
    }
  });

const BATCH_MSG = "must be an integer in [1, 1e8] or 'full'";

export const trainConfigSchema = z.object({
  dataset: datasetSchema,
  model: modelSchema,
  optimizer: optimizerSchema,
  schedule: scheduleSchema.default({ kind: 'constant' }),
  /** Clip gradients to this global L2 norm. */
  gradClip: positive().optional(),
  epochs: int(1, 1e7),
  batchSize: z
    .union([z.int(BATCH_MSG).min(1, BATCH_MSG).max(1e8, BATCH_MSG), z.literal('full')], BATCH_MSG)
    .default('full'),
  seed: int(0, 2 ** 32 - 1).default(0),
  /** Evaluate and log both splits every N epochs (the last epoch is always logged). */
  logEvery: int(1, 1e7).default(1),
  checkpoints: checkpointScheduleSchema.default({ firstAndLast: true }),
  /**
   * Training loss on one-hot targets: 'ce' softmax cross-entropy; 'mse' the mean over all n x C
   * entries of (z_c - y_c)^2 on the logits (PyTorch's F.mse_loss on one-hot targets). The logged
   * train/test losses follow this choice; Hessian metrics stay those of cross-entropy.
   */
  loss: z.enum(LOSSES, oneOf(LOSSES)).default('ce'),
  /** Extra loss terms (empty: plain cross-entropy). */
  interventions: z.array(interventionSchema).max(8, 'must have at most 8 entries').default([]),
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type DatasetConfig = z.infer<typeof datasetSchema>;
export type ModularDatasetConfig = z.infer<typeof modularDatasetSchema>;
export type GaussianMixtureConfig = z.infer<typeof gaussianMixtureSchema>;
export type SparseParityConfig = z.infer<typeof sparseParitySchema>;
export type TeacherStudentConfig = z.infer<typeof teacherStudentSchema>;
export type IdxDatasetConfig = z.infer<typeof idxDatasetSchema>;
export type NpzDatasetConfig = z.infer<typeof npzDatasetSchema>;
export type NpyDatasetConfig = z.infer<typeof npyDatasetSchema>;
export type CsvDatasetConfig = z.infer<typeof csvDatasetSchema>;
export type FileDatasetConfig = IdxDatasetConfig | NpzDatasetConfig | NpyDatasetConfig | CsvDatasetConfig;
export type ModelConfig = z.infer<typeof modelSchema>;
export type QuadraticMlpConfig = z.infer<typeof quadraticMlpSchema>;
export type MlpConfig = z.infer<typeof mlpSchema>;
export type CnnConfig = z.infer<typeof cnnSchema>;
export type TransformerConfig = z.infer<typeof transformerSchema>;
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type InterventionConfig = z.infer<typeof interventionSchema>;
export type CheckpointScheduleConfig = z.infer<typeof checkpointScheduleSchema>;
