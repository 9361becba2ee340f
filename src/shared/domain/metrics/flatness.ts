import { metric, type MetricDescriptor } from './descriptor';

const PETZKA = 'Petzka et al., Relative Flatness and Generalization, NeurIPS 2021';
const HAN = 'Han et al., NeurIPS 2025';
// positive and spanning decades over training (0.05 to 500 in a grokking run): plotted on a log axis
const both = { family: 'flatness', needs: 'features', producer: 'closed-form', splits: ['train', 'test'], logScale: true } as const;

/** Relative flatness family (METRICS.md): closed form on the last layer, and per hidden layer through HVPs. */
export const FLATNESS_METRICS: readonly MetricDescriptor[] = [
  metric({
    ...both,
    key: 'kappa',
    label: 'Relative flatness (kappa)',
    runView: 'geometry',
    description: 'Trace-form relative flatness of the last layer: Hessian blocks weighted by the inner products of the weight rows.',
    formula: '(1/n) sum_i ||phi_i||^2 (sum_c G_cc p_ic - p_i^T G p_i), G = W W^T',
    citation: PETZKA,
  }),
  metric({
    ...both,
    key: 'kappa_sigma',
    label: 'Relative flatness, standardised features',
    description:
      'kappa after scaling each feature to unit population std (weights scaled inversely); constant ' +
      'features (std < 1e-12) are folded into the bias. Invariant to per-neuron rescaling.',
    formula: 'kappa with phi_ij / sigma_j, W_cj * sigma_j',
    citation: PETZKA,
  }),
  metric({
    ...both,
    key: 'kappa_fam',
    label: 'Relative flatness / m (FAM)',
    description: 'kappa divided by the feature dimension m, the normalisation used by FAM.',
    formula: 'kappa / m',
    citation: 'Adilova et al., FAM: Relative Flatness Aware Minimization, 2023',
  }),
  metric({
    ...both,
    key: 'hessian_trace',
    label: 'Last-layer Hessian trace',
    description: 'Trace of the Hessian of the mean cross-entropy with respect to the last-layer weights.',
    formula: '(1/n) sum_i ||phi_i||^2 sum_c p_ic (1 - p_ic)',
    citation: PETZKA,
  }),
  metric({
    ...both,
    key: 'flatness_bound',
    label: 'Relative flatness bound',
    description: 'Squared Frobenius norm of W times the last-layer Hessian trace; an upper bound on kappa.',
    formula: '||W||_F^2 * hessian_trace',
    citation: HAN,
  }),
  metric({
    key: 'kappa_layer',
    family: 'flatness',
    needs: 'model',
    producer: 'hessian',
    splits: ['train'],
    parts: 'each',
    run: 'on-request',
    logScale: true,
    label: 'Relative flatness of a layer (HVP)',
    description:
      'kappa of a chosen layer (activations entering it, its weight), the same sum over Hessian blocks ' +
      'computed with Hessian-vector products: exact when rank(G) * m <= 100 HVPs, else structured ' +
      'Hutchinson. Of the last layer it equals the closed-form kappa.',
    formula: "sum_{s,s'} <w_s, w_s'> Tr(H_{s,s'}) = Tr((W W^T kron I_m) H)",
    citation: PETZKA,
  }),
];
