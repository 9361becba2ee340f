/**
 * Named starting configurations (isomorphic: the UI lists them, the CLI and the worker run them).
 * Each is a plain TrainConfigInput; defaults are filled when the config is validated.
 */
import { invalid } from '../api/errors';
import { didYouMean } from './nearest';
import type { TrainConfigInput } from './train-config';

export interface Preset {
  name: string;
  /** One or two sentences for a picker. */
  description: string;
  config: TrainConfigInput;
  /** For presets meant as the base of a sweep: the dotted config path varied and its suggested values. */
  sweep?: { path: string; values: number[] };
  /**
   * A study: starting the preset starts every variant over every seed (`config` is the first variant,
   * what a settings form shows; overrides apply to all).
   */
  study?: { variants: Record<string, TrainConfigInput>; seeds: number[] };
}

/** Where Debian's `dataset-fashion-mnist` package installs the IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Grokking on modular addition (quadratic MLP, full-batch AdamW with strong decay): train accuracy
 * saturates early, test accuracy jumps from chance to ~100% hundreds of epochs later.
 */
export const GROKKING_MLP: TrainConfigInput = {
  dataset: { kind: 'modular', p: 97, op: 'a+b', trainFraction: 0.3 },
  model: { kind: 'quadratic-mlp', width: 128, initStd: 0.5 / Math.cbrt(2 * 128) },
  optimizer: { kind: 'adamw', lr: 1e-2, beta1: 0.9, beta2: 0.98, weightDecay: 1.0 },
  schedule: { kind: 'constant' },
  epochs: 1000,
  batchSize: 'full',
  seed: 0,
  logEvery: 1,
  checkpoints: { perDecade: 4, firstAndLast: true },
};

/**
 * The interventions' baseline: grokking-mlp run as long as they are, so every curve spans the same epochs,
 * with a checkpoint every 100 epochs besides the log-spaced ones, so every variant is read at the window's
 * end (400) and at 600 and 800 (each variant also saves at its window's edges).
 */
const GROKKING_BASELINE: TrainConfigInput = {
  ...GROKKING_MLP,
  epochs: 1400,
  checkpoints: { perDecade: 4, everyEpochs: 100, firstAndLast: true },
};

/** Han et al. 2025's intervention recipe on grokking-mlp: longer run, term active in epochs 1-400. */
const withIntervention = (kind: 'anti-flatness' | 'anti-collapse', lambda: number): TrainConfigInput => ({
  ...GROKKING_BASELINE,
  interventions: [{ kind, lambda, fromEpoch: 1, toEpoch: 400, temperature: 2, unitNormFeatures: true }],
});

const GROKKING_ANTI_FLATNESS = withIntervention('anti-flatness', 1e-3);
const GROKKING_ANTI_COLLAPSE = withIntervention('anti-collapse', 1e-4);

/**
 * Power et al. 2022's setup: 2-layer decoder-only transformer (d 128, 4 heads, MLP 512, post-LN,
 * causal attention over a, b, '=', no biases), AdamW lr 1e-3, wd 1, beta2 0.98, 10 warmup steps,
 * batch 512, 50% of the p = 97 table. Their paper's headline task is a/b; a+b groks sooner.
 */
export const GROKKING_TRANSFORMER: TrainConfigInput = {
  dataset: { kind: 'modular', p: 97, op: 'a+b', trainFraction: 0.5 },
  model: {
    kind: 'transformer',
    layers: 2,
    dModel: 128,
    heads: 4,
    mlpWidth: 512,
    norm: 'post',
    causal: true,
    equalsToken: true,
    bias: false,
  },
  optimizer: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.98, weightDecay: 1.0 },
  schedule: { kind: 'linear-warmup', warmupSteps: 10 },
  // seed 0 on wasm: train acc >= 99% at epoch 40, test acc >= 99% at epoch 90 (10 steps per epoch)
  epochs: 300,
  batchSize: 512,
  seed: 0,
  logEvery: 10,
  checkpoints: { perDecade: 4, firstAndLast: true },
};

/**
 * The terminal phase of training on Fashion-MNIST (Papyan, Han & Donoho 2020) sized for 2 CPU cores: a
 * 784-256-256-256-256-10 ReLU MLP (depth collapses the last layer's features more than width), Adam with a
 * cosine schedule, batch 128, 80 epochs. On the first 6k images this fit every image by epoch ~50 (Plateau
 * and PyTorch alike), where SGD with momentum and weight decay 5e-4 still missed ~40 at epoch 65; but NC1
 * stayed at 0.3-0.4 after that in every recipe that got there (the nc bench prints how far a run gets).
 * Every epoch is evaluated (the terminal phase starts at the first with zero training error) and
 * checkpoints are measured every 2 epochs, plus one log-spaced per decade of steps.
 */
export const NC_FASHION_MNIST: TrainConfigInput = {
  dataset: { kind: 'idx', dir: DEBIAN_FASHION_MNIST_DIR },
  model: { kind: 'mlp', hidden: [256, 256, 256, 256], activation: 'relu' },
  optimizer: { kind: 'adam', lr: 1e-3 },
  schedule: { kind: 'cosine' },
  epochs: 80,
  batchSize: 128,
  seed: 0,
  logEvery: 1,
  checkpoints: { perDecade: 1, everyEpochs: 2, firstAndLast: true },
};

/** A byte-level GPT on Debian's English fortunes (the language-model presets' base). */
const LM_BYTES_EN: TrainConfigInput = {
  dataset: { kind: 'text', fortunes: 'en', tokenizer: 'bytes', contextLength: 128 },
  model: { kind: 'gpt', layers: 2, dModel: 128, heads: 4 },
  optimizer: { kind: 'adamw', lr: 3e-3, weightDecay: 0.1 },
  schedule: { kind: 'cosine', warmupSteps: 100, minFactor: 0.1 },
  gradClip: 1,
  batchSize: 32,
  epochs: 3,
  seed: 0,
  logEverySteps: 50,
  evalRows: 64,
  checkpoints: { everySteps: 250, firstAndLast: true },
};

/**
 * The placement study's base: lm-bytes-en on its first 3200 training windows (100 steps of 32), 2 epochs, logged
 * every 20 steps, so that a regularised run (a block's flatness term costs ~4x a plain step: a second forward pass
 * and a gradient through a gradient) stays within minutes on a CPU.
 */
const LM_PLACEMENT_BASE: TrainConfigInput = {
  ...LM_BYTES_EN,
  dataset: { ...LM_BYTES_EN.dataset, trainSize: 3200 } as TrainConfigInput['dataset'],
  schedule: { kind: 'cosine', warmupSteps: 20, minFactor: 0.1 },
  epochs: 2,
  logEverySteps: 20,
  checkpoints: { everySteps: 50, firstAndLast: true },
};

/**
 * The flatness regulariser (+lambda * kappa_fam, FAM) at one placement, over the whole run. lambda puts the term at
 * ~3% of the loss where it acts: in a plain run at step 40, kappa_fam was ~0.09 at the head and ~0.004 at block 0's
 * MLP output layer (cross-entropy ~3.2). 'all' sums the parts with one lambda, so the head's part dominates it.
 */
const LM_FAM_LAMBDA = { head: 1, 'block:0': 20, all: 1 } as const;
const lmFlatnessAt = (placement: keyof typeof LM_FAM_LAMBDA): TrainConfigInput => ({
  ...LM_PLACEMENT_BASE,
  interventions: [{ kind: 'fam', lambda: LM_FAM_LAMBDA[placement], placement }],
});

const LIST: Preset[] = [
  {
    name: 'grokking-mlp',
    description:
      'Modular addition mod 97, quadratic MLP, full-batch AdamW (wd 1): test accuracy jumps long after train accuracy saturates.',
    config: GROKKING_MLP,
  },
  {
    name: 'grokking-interventions',
    description:
      "Han et al. 2025's causal test, 9 runs: grokking-mlp as baseline, anti-flatness (-1e-3 * flatness_bound) and anti-collapse (-1e-4 * cdnv) in epochs 1-400, 1400 epochs each, seeds 0-2.",
    config: GROKKING_BASELINE,
    study: {
      variants: { baseline: GROKKING_BASELINE, 'anti-flatness': GROKKING_ANTI_FLATNESS, 'anti-collapse': GROKKING_ANTI_COLLAPSE },
      seeds: [0, 1, 2],
    },
  },
  {
    name: 'grokking-anti-flatness',
    description:
      'The anti-flatness variant of grokking-interventions: -1e-3 * flatness_bound (T = 2, unit-norm features) in epochs 1-400 of a 1400-epoch grokking-mlp run.',
    config: GROKKING_ANTI_FLATNESS,
  },
  {
    name: 'grokking-anti-collapse',
    description: 'The anti-collapse variant: -1e-4 * cdnv (T = 2, unit-norm features) in epochs 1-400 of a 1400-epoch grokking-mlp run.',
    config: GROKKING_ANTI_COLLAPSE,
  },
  {
    name: 'double-descent',
    description:
      'Width-sweep base: 10-class Gaussian mixture, 20% label noise, one-hidden-layer MLP trained to interpolation; sweep model.hidden.0 for the test-error peak.',
    config: {
      dataset: { kind: 'gaussian-mixture', classes: 10, dim: 32, separation: 3, trainSize: 1000, testSize: 5000, labelNoise: 0.2 },
      model: { kind: 'mlp', hidden: [64], activation: 'relu' },
      optimizer: { kind: 'adam', lr: 1e-3 },
      batchSize: 128,
      epochs: 1000,
      seed: 0,
      logEvery: 10,
      checkpoints: { perDecade: 2, firstAndLast: true },
    },
    sweep: { path: 'model.hidden.0', values: [2, 4, 8, 16, 32, 48, 64, 96, 128, 256, 512, 1024, 2048] },
  },
  {
    name: 'fashion-mnist-mlp',
    description: "Fashion-MNIST (Debian's dataset-fashion-mnist IDX files), MLP 784-512-10, Adam, batch 256, 20 epochs.",
    config: {
      dataset: { kind: 'idx', dir: DEBIAN_FASHION_MNIST_DIR },
      model: { kind: 'mlp', hidden: [512], activation: 'relu' },
      optimizer: { kind: 'adam', lr: 1e-3 },
      batchSize: 256,
      epochs: 20,
      seed: 0,
      logEvery: 1,
      checkpoints: { perDecade: 4, firstAndLast: true },
    },
  },
  {
    name: 'nc-fashion-mnist',
    description:
      'Neural collapse (Papyan et al. 2020): an MLP on all 60k Fashion-MNIST images trained past zero training error into the terminal phase, where NC1 falls; collapse measured every few epochs.',
    config: NC_FASHION_MNIST,
  },
  {
    name: 'grokking-transformer',
    description: 'Power et al. 2022: 2-layer transformer (d 128, 4 heads) on a+b mod 97 with 50% of pairs, AdamW (wd 1), batch 512.',
    config: GROKKING_TRANSFORMER,
  },
  {
    name: 'lm-bytes-en',
    description:
      "Byte-level GPT (2 layers, d 128, 4 heads, T 128) on English fortunes (Debian's fortunes), AdamW with warmup + cosine; perplexity and head kappa per checkpoint.",
    config: LM_BYTES_EN,
  },
  {
    name: 'lm-flatness-placement',
    description: `Where to place the flatness regulariser in a language model, 12 runs: lm-bytes-en on 3200 windows for 200 steps, plain vs +lambda * kappa_fam at the head (lambda 1), at block 0's MLP output layer (20; Gauss-Newton, one probe per step) and at every block plus the head (1), seeds 0-2.`,
    config: LM_PLACEMENT_BASE,
    study: {
      variants: {
        baseline: LM_PLACEMENT_BASE,
        'fam-head': lmFlatnessAt('head'),
        'fam-block0': lmFlatnessAt('block:0'),
        'fam-all': lmFlatnessAt('all'),
      },
      seeds: [0, 1, 2],
    },
  },
  {
    name: 'lm-cross-lingual',
    description:
      'The lm-bytes-en model trained on English, evaluated on German and Spanish fortunes (fortunes-de, fortunes-es) at every log: does head flatness track the cross-lingual gap?',
    config: { ...LM_BYTES_EN, dataset: { ...LM_BYTES_EN.dataset, evalSets: [{ fortunes: 'de' }, { fortunes: 'es' }] } } as TrainConfigInput,
  },
];

export const PRESETS: Readonly<Record<string, Preset>> = Object.fromEntries(LIST.map((p) => [p.name, p]));
export const PRESET_NAMES: readonly string[] = LIST.map((p) => p.name);

/** A deep copy of a preset's config with optional top-level overrides. */
export function preset(name: string, overrides: Partial<TrainConfigInput> = {}): TrainConfigInput {
  const p = PRESETS[name];
  if (!p) {
    const hint = didYouMean(name, PRESET_NAMES) || ` Presets: ${PRESET_NAMES.join(', ')}.`;
    throw invalid(`There is no preset '${name}'.${hint}`, { field: 'preset', value: name, presets: PRESET_NAMES });
  }
  return { ...structuredClone(p.config), ...overrides };
}
