import { metric, type MetricDescriptor } from './descriptor';

const PAPYAN = 'Papyan, Han & Donoho, Prevalence of neural collapse, PNAS 2020';
const GALANTI = 'Galanti, Gyorgy & Hutter, On the role of neural collapse in transfer learning, ICLR 2022';
const WU = 'Wu & Papyan, Linguistic Collapse: Neural Collapse in (Large) Language Models, NeurIPS 2024';
const both = { family: 'collapse', needs: 'features', producer: 'closed-form', splits: ['train', 'test'] } as const;

/**
 * Neural collapse family (METRICS.md), closed form on the penultimate features; with more than
 * collapse_top_k classes present, on the K most frequent.
 */
export const COLLAPSE_METRICS: readonly MetricDescriptor[] = [
  metric({
    ...both,
    key: 'nc1',
    label: 'NC1 within-class variability',
    logScale: true,
    runView: 'geometry',
    description: 'Within-class covariance measured against the pseudo-inverse of the between-class covariance (top C-1 eigenpairs).',
    formula: 'Tr(Sigma_W Sigma_B^+) / C',
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'nc2_equinorm_means',
    label: 'NC2 equinorm (class means)',
    description: 'Coefficient of variation of the norms of the centred class means.',
    formula: 'std_c ||mu_c - mu_G|| / mean_c ||mu_c - mu_G||',
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'nc2_equinorm_classifiers',
    label: 'NC2 equinorm (classifiers)',
    description: 'Coefficient of variation of the norms of the classifier rows.',
    formula: 'std_c ||w_c|| / mean_c ||w_c||',
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'nc2_equiangular',
    label: 'NC2 equiangularity',
    description: 'Mean distance of the pairwise cosines of the centred class means from the simplex value -1/(C-1).',
    formula: "mean_{c != c'} |cos(mu_c - mu_G, mu_c' - mu_G) + 1/(C-1)|",
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'nc2_angle_std',
    label: 'NC2 angle spread',
    description: 'Standard deviation of the pairwise cosines of the centred class means.',
    formula: "std_{c != c'} cos(mu_c - mu_G, mu_c' - mu_G)",
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'nc3',
    label: 'NC3 self-duality',
    description: 'Distance between the normalised classifier and the normalised centred class means.',
    formula: '|| W/||W||_F - M~/||M~||_F ||_F^2',
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'nc4',
    label: 'NC4 nearest class centre',
    description: 'Fraction of samples whose predicted class differs from their nearest class mean.',
    formula: 'mean_i [argmax_c z_ic != argmin_c ||phi_i - mu_c||]',
    citation: PAPYAN,
  }),
  metric({
    ...both,
    key: 'cdnv',
    label: 'Class-distance normalised variance',
    logScale: true,
    runView: 'geometry',
    description: 'Mean over class pairs of the within-class variances relative to the squared distance between their means.',
    formula: "mean_{c < c'} (V_c + V_c') / (2 ||mu_c - mu_c'||^2)",
    citation: GALANTI,
  }),
  metric({
    ...both,
    key: 'gnc2',
    label: 'GNC2 hyperspherical uniformity',
    description: 'Logarithmic energy of the normalised centred class means on the sphere; lower is more uniform.',
    formula: "mean_{c < c'} log(1 / max(||u_c - u_c'||, 1e-12)), u_c = (mu_c - mu_G)/||mu_c - mu_G||",
    citation: WU,
  }),
  metric({
    ...both,
    key: 'duality_cos_mean',
    label: 'Self-duality (mean cosine)',
    description: 'Mean over classes of the cosine between the classifier row and the centred class mean (NC3 in cosine form).',
    formula: 'mean_c cos(w_c, mu_c - mu_G)',
    citation: WU,
  }),
  metric({
    ...both,
    key: 'duality_cos_std',
    label: 'Self-duality (cosine spread)',
    description: 'Standard deviation over classes of the cosine between the classifier row and the centred class mean.',
    formula: 'std_c cos(w_c, mu_c - mu_G)',
    citation: WU,
  }),
];
