/** Catalogue of every metric key of METRICS.md (the contract). Isomorphic: used by main and renderer. */

export const METRIC_FAMILIES = ['flatness', 'collapse', 'generalization', 'hessian', 'weights'] as const;
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** What a metric needs: penultimate features + last layer, the whole model (HVPs), or weights alone. */
export type MetricNeeds = 'features' | 'model' | 'weights';

export interface MetricKeyInfo {
  key: string;
  family: MetricFamily;
  label: string;
  description: string;
  formula: string;
  citation: string;
  needs: MetricNeeds;
}

const PETZKA = 'Petzka et al., Relative Flatness and Generalization, NeurIPS 2021';
const HAN = 'Han et al., NeurIPS 2025';
const PAPYAN = 'Papyan, Han & Donoho, Prevalence of neural collapse, PNAS 2020';
const GALANTI = 'Galanti, Gyorgy & Hutter, On the role of neural collapse in transfer learning, ICLR 2022';
const PYHESSIAN = 'Yao et al., PyHessian, IEEE BigData 2020';
const WW = 'Martin & Mahoney, Implicit self-regularization in deep neural networks, JMLR 2021 (WeightWatcher)';

const m = (key: string, family: MetricFamily, needs: MetricNeeds, label: string, description: string, formula: string, citation: string): MetricKeyInfo =>
  ({ key, family, needs, label, description, formula, citation });

export const METRIC_KEYS: readonly MetricKeyInfo[] = [
  m('kappa', 'flatness', 'features', 'Relative flatness (kappa)',
    'Trace-form relative flatness of the last layer: Hessian blocks weighted by the inner products of the weight rows.',
    "(1/n) sum_i ||phi_i||^2 (sum_c G_cc p_ic - p_i^T G p_i), G = W W^T", PETZKA),
  m('kappa_sigma', 'flatness', 'features', 'Relative flatness, standardised features',
    'kappa after scaling each feature to unit population std (weights scaled inversely); constant features (std < 1e-12) are folded into the bias. Invariant to per-neuron rescaling.',
    'kappa with phi_ij / sigma_j, W_cj * sigma_j', PETZKA),
  m('kappa_fam', 'flatness', 'features', 'Relative flatness / m (FAM)',
    'kappa divided by the feature dimension m, the normalisation used by FAM.', 'kappa / m',
    'Adilova et al., FAM: Relative Flatness Aware Minimization, 2023'),
  m('hessian_trace', 'flatness', 'features', 'Last-layer Hessian trace',
    'Trace of the Hessian of the mean cross-entropy with respect to the last-layer weights.',
    '(1/n) sum_i ||phi_i||^2 sum_c p_ic (1 - p_ic)', PETZKA),
  m('flatness_bound', 'flatness', 'features', 'Relative flatness bound',
    'Squared Frobenius norm of W times the last-layer Hessian trace; an upper bound on kappa.',
    '||W||_F^2 * hessian_trace', HAN),
  m('nc1', 'collapse', 'features', 'NC1 within-class variability',
    'Within-class covariance measured against the pseudo-inverse of the between-class covariance (top C-1 eigenpairs).',
    'Tr(Sigma_W Sigma_B^+) / C', PAPYAN),
  m('nc2_equinorm_means', 'collapse', 'features', 'NC2 equinorm (class means)',
    'Coefficient of variation of the norms of the centred class means.', 'std_c ||mu_c - mu_G|| / mean_c ||mu_c - mu_G||', PAPYAN),
  m('nc2_equinorm_classifiers', 'collapse', 'features', 'NC2 equinorm (classifiers)',
    'Coefficient of variation of the norms of the classifier rows.', 'std_c ||w_c|| / mean_c ||w_c||', PAPYAN),
  m('nc2_equiangular', 'collapse', 'features', 'NC2 equiangularity',
    'Mean distance of the pairwise cosines of the centred class means from the simplex value -1/(C-1).',
    "mean_{c != c'} |cos(mu_c - mu_G, mu_c' - mu_G) + 1/(C-1)|", PAPYAN),
  m('nc2_angle_std', 'collapse', 'features', 'NC2 angle spread',
    'Standard deviation of the pairwise cosines of the centred class means.', "std_{c != c'} cos(mu_c - mu_G, mu_c' - mu_G)", PAPYAN),
  m('nc3', 'collapse', 'features', 'NC3 self-duality',
    'Distance between the normalised classifier and the normalised centred class means.', '|| W/||W||_F - M~/||M~||_F ||_F^2', PAPYAN),
  m('nc4', 'collapse', 'features', 'NC4 nearest class centre',
    'Fraction of samples whose predicted class differs from their nearest class mean.',
    'mean_i [argmax_c z_ic != argmin_c ||phi_i - mu_c||]', PAPYAN),
  m('cdnv', 'collapse', 'features', 'Class-distance normalised variance',
    'Mean over class pairs of the within-class variances relative to the squared distance between their means.',
    "mean_{c < c'} (V_c + V_c') / (2 ||mu_c - mu_c'||^2)", GALANTI),
  m('train_loss', 'generalization', 'features', 'Train loss', 'Mean softmax cross-entropy on the training split.', 'mean_i CE(z_i, y_i)', 'standard'),
  m('test_loss', 'generalization', 'features', 'Test loss', 'Mean softmax cross-entropy on the test split.', 'mean_i CE(z_i, y_i)', 'standard'),
  m('train_acc', 'generalization', 'features', 'Train accuracy', 'Top-1 accuracy on the training split.', 'mean_i [argmax_c z_ic = y_i]', 'standard'),
  m('test_acc', 'generalization', 'features', 'Test accuracy', 'Top-1 accuracy on the test split.', 'mean_i [argmax_c z_ic = y_i]', 'standard'),
  m('gap_loss', 'generalization', 'features', 'Loss gap', 'Test loss minus train loss.', 'test_loss - train_loss', 'standard'),
  m('gap_acc', 'generalization', 'features', 'Accuracy gap', 'Train accuracy minus test accuracy.', 'train_acc - test_acc', 'standard'),
  m('hessian_top_eig', 'hessian', 'model', 'Hessian top eigenvalue',
    'Largest eigenvalue of the Hessian of the mean training loss by power iteration on Hessian-vector products (seeded start, rel. change < 1e-3 or 100 iterations).',
    'lambda_max(H)', PYHESSIAN),
  m('hessian_top_eigs', 'hessian', 'model', 'Hessian top-k eigenvalues',
    'The k largest Hessian eigenvalues, by power iteration with deflation.', 'lambda_1..k(H)', PYHESSIAN),
  m('hessian_trace_hutch', 'hessian', 'model', 'Hessian trace (Hutchinson)',
    'Hutchinson estimate of Tr H with Rademacher vectors (running mean rel. change < 1e-3 or 100 vectors).', 'E_v[v^T H v]', PYHESSIAN),
  m('hessian_esd', 'hessian', 'model', 'Hessian spectral density',
    'Eigenvalue density by stochastic Lanczos quadrature with full re-orthogonalisation and Gaussian smoothing.', 'SLQ density of H', PYHESSIAN),
  m('fro_norm', 'weights', 'weights', 'Frobenius norm', 'Frobenius norm of each 2-D weight matrix (conv kernels as out x in*kh*kw).', '||W||_F', 'standard'),
  m('spectral_norm', 'weights', 'weights', 'Spectral norm', 'Largest singular value of the weight matrix.', 'sigma_max(W)', 'standard'),
  m('stable_rank', 'weights', 'weights', 'Stable rank', 'Squared Frobenius norm over squared spectral norm.', '||W||_F^2 / sigma_max(W)^2', 'standard'),
  m('dist_from_init', 'weights', 'weights', 'Distance from initialisation', 'Frobenius distance to the run\'s initial weights, when known.', '||W - W_0||_F', 'standard'),
  m('ww_alpha', 'weights', 'weights', 'Power-law exponent (alpha)',
    'Exponent of a power law fitted to the eigenvalues of W^T W / N: Hill/MLE fit per candidate x_min, keeping the smallest Kolmogorov-Smirnov distance.',
    'alpha = 1 + k / sum_{x >= x_min} ln(x / x_min)', WW),
];

export const METRIC_KEY_NAMES: readonly string[] = METRIC_KEYS.map((k) => k.key);

const BY_KEY = new Map(METRIC_KEYS.map((k) => [k.key, k]));

/** The catalogue entry of a key, or undefined if it is not a METRICS.md key. */
export function metricKeyInfo(key: string): MetricKeyInfo | undefined {
  return BY_KEY.get(key);
}

/** Keys of one family, in catalogue order. */
export function keysOfFamily(family: MetricFamily): string[] {
  return METRIC_KEYS.filter((k) => k.family === family).map((k) => k.key);
}
