import { invalid } from '../../api/errors';
import { SPLITS } from '../types';
import { COLLAPSE_METRICS } from './collapse';
import { METRIC_FAMILIES, type MetricDescriptor, type MetricFamily, type MetricProducer } from './descriptor';
import { FLATNESS_METRICS } from './flatness';
import { GENERALIZATION_METRICS } from './generalization';
import { HESSIAN_METRICS } from './hessian';
import { WEIGHT_METRICS } from './weights';

/*
 * The metric registry: the one list every catalogue, picker, report and CLI iterates (as tfjs registers
 * kernels). Built-in families register below, one line each; a plugin registers its descriptor at load.
 */
const REGISTRY = new Map<string, MetricDescriptor>();

const PARTS = ['model', 'last-and-each', 'each', 'index'];
const RUN = ['default', 'hessian', 'on-request'];

/** Adds a metric; a clash with a registered key, or a malformed descriptor, is an error naming the field. */
export function registerMetric(d: MetricDescriptor): void {
  const bad = (field: string, why: string) => invalid(`metric '${String(d?.key)}': ${field} ${why}`, { key: d?.key, field });
  if (typeof d?.key !== 'string' || !/^[a-z][a-z0-9_]*$/.test(d.key)) throw bad('key', 'must be snake_case (a-z, 0-9, _)');
  if (REGISTRY.has(d.key)) throw bad('key', 'is already registered');
  if (!METRIC_FAMILIES.includes(d.family)) throw bad('family', `must be one of ${METRIC_FAMILIES.join(', ')}`);
  for (const f of ['label', 'description', 'formula', 'citation', 'producer'] as const) {
    if (typeof d[f] !== 'string' || !d[f]) throw bad(f, 'must be a non-empty string');
  }
  if (!['features', 'model', 'weights'].includes(d.needs)) throw bad('needs', "must be 'features', 'model' or 'weights'");
  if (!Array.isArray(d.splits) || !d.splits.length || d.splits.some((s) => !SPLITS.includes(s))) {
    throw bad('splits', `must list some of ${SPLITS.join(', ')}`);
  }
  if (!PARTS.includes(d.parts)) throw bad('parts', `must be one of ${PARTS.join(', ')}`);
  if (!RUN.includes(d.run)) throw bad('run', `must be one of ${RUN.join(', ')}`);
  if (typeof d.logScale !== 'boolean') throw bad('logScale', 'must be true or false');
  REGISTRY.set(d.key, Object.freeze({ ...d }));
}

const BUILT_IN = [FLATNESS_METRICS, COLLAPSE_METRICS, GENERALIZATION_METRICS, HESSIAN_METRICS, WEIGHT_METRICS];
for (const family of BUILT_IN) family.forEach(registerMetric);

/** Every registered metric, built-ins in catalogue order, then plugins in load order. */
export const metricDescriptors = (): MetricDescriptor[] => [...REGISTRY.values()];

export const metricKeyNames = (): string[] => [...REGISTRY.keys()];

/** The descriptor of a key, or undefined if none is registered. */
export const metricInfo = (key: string): MetricDescriptor | undefined => REGISTRY.get(key);

/** Keys matching a predicate, in registry order. */
export const metricKeysWhere = (pred: (d: MetricDescriptor) => boolean): string[] =>
  metricDescriptors()
    .filter(pred)
    .map((d) => d.key);

export const keysOfFamily = (family: MetricFamily): string[] => metricKeysWhere((d) => d.family === family);
export const keysOfProducer = (producer: MetricProducer): string[] => metricKeysWhere((d) => d.producer === producer);

/**
 * The keys a metrics job computes: the named ones (each must be registered), else every 'default' key
 * plus, with `hessian`, the 'hessian' ones. Named keys come back in registry order, once each.
 */
export function resolveJobKeys(keys: readonly string[] | undefined, hessian = false): string[] {
  if (keys?.length) {
    const unknown = keys.filter((k) => !REGISTRY.has(k));
    if (unknown.length) {
      const names = unknown.map((k) => `'${k}'`).join(', ');
      throw invalid(`unknown metric${unknown.length > 1 ? 's' : ''} ${names}; known: ${metricKeyNames().join(', ')}`, { keys: unknown });
    }
    const named = new Set(keys);
    return metricKeysWhere((d) => named.has(d.key) || (hessian && d.run === 'hessian'));
  }
  return metricKeysWhere((d) => d.run === 'default' || (hessian && d.run === 'hessian'));
}
