/** Closed-form metrics of METRICS.md (flatness, neural collapse, generalisation, weights-only). */
export { CLOSED_FORM_KEYS, PER_SPLIT_KEYS, computeDumpMetrics, computeSplitMetrics, resolveKeys } from './closed-form';
export type { DumpMetrics, DumpMetricOptions } from './closed-form';
export { weightMetrics, weightEigenvalues, powerLawAlpha } from './weights';
export { symmetricEigen } from './linalg';
export type { FeatureDumpData, FeatureSplit, FloatMatrix, LastLayer, MetricBag, MetricValues } from './types';
