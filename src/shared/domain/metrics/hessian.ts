import { metric, type MetricDescriptor } from './descriptor';

const PYHESSIAN = 'Yao et al., PyHessian, IEEE BigData 2020';
const h = { family: 'hessian', needs: 'model', producer: 'hessian', splits: ['train'], citation: PYHESSIAN } as const;

/** Hessian of the full training loss (METRICS.md), through Hessian-vector products. */
export const HESSIAN_METRICS: readonly MetricDescriptor[] = [
  metric({
    ...h,
    key: 'hessian_top_eig',
    run: 'hessian',
    label: 'Hessian top eigenvalue',
    description:
      'Largest eigenvalue of the Hessian of the mean training loss by power iteration on Hessian-vector ' +
      'products (seeded start, rel. change < 1e-3 or 100 iterations).',
    formula: 'lambda_max(H)',
  }),
  metric({
    ...h,
    key: 'hessian_top_eigs',
    run: 'on-request',
    parts: 'index',
    label: 'Hessian top-k eigenvalues',
    description: 'The k largest-magnitude Hessian eigenvalues, by power iteration with deflation; stored one row per index 1..k.',
    formula: 'lambda_1..k(H)',
  }),
  metric({
    ...h,
    key: 'hessian_trace_hutch',
    run: 'hessian',
    label: 'Hessian trace (Hutchinson)',
    description: 'Hutchinson estimate of Tr H with Rademacher vectors (running mean rel. change < 1e-3 or 100 vectors).',
    formula: 'E_v[v^T H v]',
  }),
  metric({
    ...h,
    key: 'hessian_esd',
    run: 'hessian',
    label: 'Hessian spectral density',
    description:
      'Eigenvalue density by stochastic Lanczos quadrature with full re-orthogonalisation and Gaussian ' +
      'smoothing; the stored value is the largest Ritz node, the density is in the details.',
    formula: 'SLQ density of H',
  }),
];
