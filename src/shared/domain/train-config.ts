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

const DATASET_KINDS = ['modular', 'gaussian-mixture', 'sparse-parity'] as const;
export const datasetSchema = z.discriminatedUnion('kind', [modularDatasetSchema, gaussianMixtureSchema, sparseParitySchema], {
  error: oneOf(DATASET_KINDS),
});

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

const MODEL_KINDS = ['quadratic-mlp', 'mlp'] as const;
export const modelSchema = z.discriminatedUnion('kind', [quadraticMlpSchema, mlpSchema], { error: oneOf(MODEL_KINDS) });

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
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type DatasetConfig = z.infer<typeof datasetSchema>;
export type ModularDatasetConfig = z.infer<typeof modularDatasetSchema>;
export type GaussianMixtureConfig = z.infer<typeof gaussianMixtureSchema>;
export type SparseParityConfig = z.infer<typeof sparseParitySchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type QuadraticMlpConfig = z.infer<typeof quadraticMlpSchema>;
export type MlpConfig = z.infer<typeof mlpSchema>;
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type CheckpointScheduleConfig = z.infer<typeof checkpointScheduleSchema>;
