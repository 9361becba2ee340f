/** Hessian of the training loss through exact HVPs (METRICS.md "Hessian of the full loss", layer kappa). */
export { installSecondOrderGradients, hvp, gradient } from './second-order';
export { datasetHessian, denseMatrix, denseOperator, selectParams, DEFAULT_BATCH_SIZE } from './operator';
export type { DatasetHessian, HessianOperator, SplitInput } from './operator';
export { hessianTopEig, hessianTopEigs, hessianTraceHutchinson, hutchinson } from './spectral';
export type { EigResult, EigsResult, IterOptions, RunInfo, TraceResult } from './spectral';
export { hessianEsd, lanczos, ritz } from './slq';
export type { EsdOptions, EsdResult } from './slq';
export { exactTrace, layerKappa } from './kappa';
export type { KappaOptions, KappaResult, LayerWeight } from './kappa';
export { HESSIAN_METRIC_KEYS, kappaWeightName, modelHessianMetrics } from './model-metrics';
export type { HessianMetricKey, HessianMetricOptions, HessianMetrics } from './model-metrics';
