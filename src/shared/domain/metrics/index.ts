/** The metric registry (isomorphic): descriptors of every metric and the lists derived from them. */
export { METRIC_FAMILIES, metric } from './descriptor';
export type {
  MetricDescriptor,
  MetricFamily,
  MetricKeyInfo,
  MetricNeeds,
  MetricParts,
  MetricProducer,
  MetricRunPolicy,
} from './descriptor';
export {
  keysOfFamily,
  keysOfProducer,
  metricDescriptors,
  metricInfo,
  metricKeyNames,
  metricKeysWhere,
  registerMetric,
  resolveJobKeys,
} from './registry';
