/**
 * Training configuration: the one schema shared by the UI, the API and the training worker.
 * Isomorphic (zod only). Messages name the allowed range so a rejected field explains itself.
 */
import { z } from 'zod';
import { beta, int, nonNegative, oneOf, positive } from './config-fields';
import { datasetSchema } from './dataset-config';
import { kindRegistry, registrySchema, type KindInfo } from './kinds';

export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'quadratic'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const LOSSES = ['ce', 'mse'] as const;
export type LossKind = (typeof LOSSES)[number];

export const quadraticMlpSchema = z.strictObject({
  kind: z.literal('quadratic-mlp'),
  width: int(1, 100_000).default(128),
  /** Std of the normal init of every weight; default 0.5 / (2 * width)^(1/3). */
  initStd: positive().optional(),
});

export const mlpSchema = z.strictObject({
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

/**
 * Decoder-only GPT (GPT-2's architecture) for next-token prediction on text: token + learned position
 * embeddings, `layers` pre-LayerNorm blocks (causal multi-head attention, GELU MLP), a final LayerNorm and a
 * head (tied to the token embedding, or its own). Checkpoints use Hugging Face GPT-2's names and layouts.
 */
export const gptSchema = z
  .object({
    kind: z.literal('gpt'),
    layers: int(1, 48).default(2),
    dModel: int(1, 4096).default(128),
    heads: int(1, 64).default(4),
    /** MLP hidden width; default 4 * dModel. */
    mlpWidth: int(1, 65_536).optional(),
    /** Position embeddings (GPT-2's n_positions); default the dataset's context length. */
    positions: int(1, 65_536).optional(),
    /** The head shares the token embedding's weight (GPT-2), or has its own. */
    tiedHead: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    if (m.dModel % m.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide dModel=${m.dModel}` });
  });

/** The model families, one registered line each; a plugin registers its own (src/main/app/plugins.ts). */
export const modelFamilies = kindRegistry<KindInfo>('model.kind');
modelFamilies.register({
  kind: 'quadratic-mlp',
  label: 'Quadratic MLP (grokking)',
  description: 'Two one-hot tokens, one hidden layer with x^2 activation.',
  schema: quadraticMlpSchema,
});
modelFamilies.register({
  kind: 'mlp',
  label: 'MLP',
  description: 'Fully connected layers on dense rows (or one-hot tokens).',
  schema: mlpSchema,
});
modelFamilies.register({
  kind: 'cnn',
  label: 'CNN',
  description: 'Small image CNN: conv3x3-pool blocks, a dense layer, the last layer.',
  schema: cnnSchema,
});
modelFamilies.register({
  kind: 'transformer',
  label: 'Transformer (grokking)',
  description: 'Decoder-only transformer reading the answer at the last token.',
  schema: transformerSchema,
});
modelFamilies.register({
  kind: 'gpt',
  label: 'GPT (language model)',
  description: "GPT-2's architecture predicting every next token; Hugging Face names.",
  schema: gptSchema,
});

type BuiltinModelSchema = typeof quadraticMlpSchema | typeof mlpSchema | typeof cnnSchema | typeof transformerSchema | typeof gptSchema;
export const modelSchema = registrySchema<z.output<BuiltinModelSchema>, z.input<BuiltinModelSchema>>(modelFamilies);

export const sgdSchema = z.strictObject({
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
export const adamSchema = z.strictObject({ kind: z.literal('adam'), ...adamFields, weightDecay: nonNegative().default(0) });
export const adamwSchema = z.strictObject({ kind: z.literal('adamw'), ...adamFields, weightDecay: nonNegative().default(0.01) });

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
    z.strictObject({ kind: z.literal('constant') }),
    z.strictObject({ kind: z.literal('linear-warmup'), warmupSteps: int(1, 1e9) }),
    z.strictObject({
      kind: z.literal('cosine'),
      warmupSteps,
      /** Final lr as a fraction of the base lr. */
      minFactor: z.number('must be a number in [0, 1]').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0),
    }),
    z.strictObject({
      kind: z.literal('step'),
      warmupSteps,
      stepSize: int(1, 1e9),
      gamma: z.number('must be a number in (0, 1]').gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(0.1),
    }),
  ],
  { error: oneOf(SCHEDULE_KINDS) },
);

export const checkpointScheduleSchema = z.strictObject({
  /** Save every N optimizer steps. */
  everySteps: int(1, 1e9).optional(),
  /** Save at the end of every N-th epoch (a regular grid, e.g. to read a study at fixed epochs). */
  everyEpochs: int(1, 1e9).optional(),
  /** Save k log-spaced steps per decade (1, 10^(1/k), ...). */
  perDecade: int(1, 1000).optional(),
  /** Also save step 0 (the init) and the final step. */
  firstAndLast: z.boolean().default(true),
});

export const INTERVENTION_KINDS = ['fam', 'anti-flatness', 'anti-collapse'] as const;
export type InterventionKind = (typeof INTERVENTION_KINDS)[number];

/** Where a term acts: the head (last layer), block k's MLP output layer (GPT `h.k.mlp.c_proj`), or every block plus the head. */
export const PLACEMENT_PATTERN = /^(head|all|block:(0|[1-9]\d{0,3}))$/;
export type Placement = 'head' | 'all' | `block:${number}`;
export const placementOf = (t: { placement?: Placement }): Placement => t.placement ?? 'head';

/**
 * An extra loss term on each batch (Han et al. 2025), active for epochs fromEpoch..toEpoch and, when set,
 * steps fromStep..toStep (inclusive, both must hold): 'fam' adds +lambda * kappa_fam, 'anti-flatness' adds
 * -lambda * flatness_bound, 'anti-collapse' adds -lambda * cdnv.
 * At placement 'head' these are METRICS.md's definitions on the batch's penultimate features and last layer.
 * At 'block:k' (GPT only) they are those of block k's MLP output layer W (GPT-2 Conv1D `h.k.mlp.c_proj`,
 * stored in x out; m = its input width), on the batch's n positions with h_i = the GELU activations entering W:
 * cdnv is cdnv of h_i under the next-token labels; the flatness terms use the Gauss-Newton (Fisher) matrix F of
 * the mean cross-entropy w.r.t. W in place of the Hessian (equal for the head, where the logits are linear in W;
 * a hidden layer's Hessian adds a curvature term of the network that F leaves out). With one Gaussian probe per
 * step, xi_i ~ N(0, I_C), u_i = sqrt(p_i) * xi_i - p_i <sqrt(p_i), xi_i> (covariance diag(p_i) - p_i p_i^T) and
 * D = sum_i h_i g_i^T the gradient w.r.t. W of sum_i <z_i, u_i> with u held fixed (g_i: its gradient w.r.t. W's
 * output at position i; not sum_i ||h_i||^2 ||g_i||^2: W is shared by the positions, whose cross terms count),
 *   flatness_bound = ||W||_F^2 * ||D||_F^2 / n   (E_xi ||D||_F^2 / n = Tr F),
 *   kappa_fam      = <D^T D, W^T W>_F / (n m)    (E_xi = sum_{s,s'} <w_s, w_s'> Tr F_{s,s'} / m, per output neuron s),
 * unbiased estimates whose gradient is unbiased too (reparameterised: no sampled labels, whose gradient through p vanishes).
 * 'all' adds the head's term and every block's; its parts are logged per layer.
 */
export const interventionSchema = z
  .object({
    kind: z.enum(INTERVENTION_KINDS, oneOf(INTERVENTION_KINDS)),
    lambda: nonNegative(),
    fromEpoch: int(1, 1e7).default(1),
    /** Last active epoch; default: to the end of the run. */
    toEpoch: int(1, 1e7).optional(),
    /** First active optimizer step (1 = the first update): a window in steps, for runs that log by steps (language models). */
    fromStep: int(1, 1e9).optional(),
    /** Last active optimizer step (inclusive). */
    toStep: int(1, 1e9).optional(),
    /** 'head' (absent: the head, so configs written before placements stay as they were), 'block:k' or 'all'. */
    placement: z
      .string("must be 'head', 'all' or 'block:k'")
      .regex(PLACEMENT_PATTERN, "must be 'head', 'all' or 'block:k' (k a block index)")
      .transform((p) => p as Placement)
      .optional(),
    /** Softmax temperature inside the term only (p = softmax(z / T)); > 1 keeps the term's gradient alive. Head only. */
    temperature: positive().default(1),
    /** Features scaled to unit L2 norm inside the term only (logits of the term recomputed from them). Head only. */
    unitNormFeatures: z.boolean().default(false),
    /** While active, project the last layer's weight onto ||W||_F <= this after every step. */
    maxClassifierNorm: positive().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.toEpoch !== undefined && t.toEpoch < t.fromEpoch) {
      ctx.addIssue({ code: 'custom', path: ['toEpoch'], message: `must be in [fromEpoch=${t.fromEpoch}, 1e7]` });
    }
    if (t.toStep !== undefined && t.toStep < (t.fromStep ?? 1)) {
      ctx.addIssue({ code: 'custom', path: ['toStep'], message: `must be in [fromStep=${t.fromStep ?? 1}, 1e9]` });
    }
    if (placementOf(t) !== 'head' && (t.temperature !== 1 || t.unitNormFeatures)) {
      const field = t.temperature !== 1 ? 'temperature' : 'unitNormFeatures';
      ctx.addIssue({ code: 'custom', path: [field], message: `applies to placement 'head' only (placement is '${t.placement}')` });
    }
  });

const BATCH_MSG = "must be an integer in [1, 1e8] or 'full'";

export const trainConfigSchema = z.strictObject({
  dataset: datasetSchema,
  model: modelSchema,
  optimizer: optimizerSchema,
  schedule: scheduleSchema.default({ kind: 'constant' }),
  /** Clip gradients to this global L2 norm. */
  gradClip: positive().optional(),
  epochs: int(1, 1e7),
  batchSize: z.union([z.int(BATCH_MSG).min(1, BATCH_MSG).max(1e8, BATCH_MSG), z.literal('full')], BATCH_MSG).default('full'),
  seed: int(0, 2 ** 32 - 1).default(0),
  /** Evaluate and log both splits every N epochs (the last epoch is always logged). */
  logEvery: int(1, 1e7).default(1),
  /** Evaluate and log every N optimizer steps instead (language models, whose epochs are long). */
  logEverySteps: int(1, 1e9).optional(),
  /** Evaluate, and measure checkpoints, on at most the first N rows of each split (default all). */
  evalRows: int(1, 1e9).optional(),
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
export type ModelConfig = z.infer<typeof modelSchema>;
export type QuadraticMlpConfig = z.infer<typeof quadraticMlpSchema>;
export type MlpConfig = z.infer<typeof mlpSchema>;
export type CnnConfig = z.infer<typeof cnnSchema>;
export type TransformerConfig = z.infer<typeof transformerSchema>;
export type GptConfig = z.infer<typeof gptSchema>;
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type InterventionConfig = z.infer<typeof interventionSchema>;
export type CheckpointScheduleConfig = z.infer<typeof checkpointScheduleSchema>;
