import { metric, type MetricDescriptor } from './descriptor';

const WW = 'Martin & Mahoney, Implicit self-regularization in deep neural networks, JMLR 2021 (WeightWatcher)';
const w = {
  family: 'weights',
  needs: 'weights',
  producer: 'weights-only',
  splits: ['none'],
  parts: 'last-and-each',
  citation: 'standard',
} as const;

/** Weights-only measures (METRICS.md): per 2-D weight matrix; '' rows describe the last layer. */
export const WEIGHT_METRICS: readonly MetricDescriptor[] = [
  metric({
    ...w,
    key: 'fro_norm',
    label: 'Frobenius norm',
    description: 'Frobenius norm of each 2-D weight matrix (conv kernels as out x in*kh*kw).',
    formula: '||W||_F',
  }),
  metric({
    ...w,
    key: 'spectral_norm',
    label: 'Spectral norm',
    description: 'Largest singular value of the weight matrix.',
    formula: 'sigma_max(W)',
  }),
  metric({
    ...w,
    key: 'stable_rank',
    label: 'Stable rank',
    description: 'Squared Frobenius norm over squared spectral norm.',
    formula: '||W||_F^2 / sigma_max(W)^2',
  }),
  metric({
    ...w,
    key: 'dist_from_init',
    label: 'Distance from initialisation',
    description: "Frobenius distance to the run's initial weights, when known.",
    formula: '||W - W_0||_F',
  }),
  metric({
    ...w,
    key: 'ww_alpha',
    label: 'Power-law exponent (alpha)',
    citation: WW,
    description:
      'Exponent of a power law fitted to the eigenvalues of W^T W / N: Hill/MLE fit per candidate x_min, ' +
      'keeping the smallest Kolmogorov-Smirnov distance.',
    formula: 'alpha = 1 + k / sum_{x >= x_min} ln(x / x_min)',
  }),
];
