import type { BuiltinSplit } from '../types';

/** One metric of METRICS.md, as everything that lists, computes, stores or plots metrics sees it. Isomorphic. */

export const METRIC_FAMILIES = ['flatness', 'collapse', 'generalization', 'hessian', 'weights'] as const;
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** What a metric needs: penultimate features + last layer, the whole model (HVPs), or weights alone. */
export type MetricNeeds = 'features' | 'model' | 'weights';

/**
 * Which producer computes it in a metrics job (main/ml/metrics/producers.ts maps the id to code):
 * closed form on the features, weights alone, Hessian-vector products, or a plugin's own id.
 */
export type MetricProducer = 'closed-form' | 'weights-only' | 'hessian' | (string & {});

/**
 * What the `layer` column of its stored rows holds:
 * - 'model': nothing ('' only), one value per step and split;
 * - 'last-and-each': '' for the last layer plus one row per 2-D weight, named by it;
 * - 'each': one row per chosen layer, named by its weight (no '' row);
 * - 'index': one row per index '1'..'k' (e.g. the k top eigenvalues).
 */
export type MetricParts = 'model' | 'last-and-each' | 'each' | 'index';

/** When a metrics job that names no keys computes it: always, with the Hessian option, or only when named. */
export type MetricRunPolicy = 'default' | 'hessian' | 'on-request';

export interface MetricDescriptor {
  /** Exactly as METRICS.md names it. */
  key: string;
  family: MetricFamily;
  label: string;
  description: string;
  formula: string;
  citation: string;
  needs: MetricNeeds;
  producer: MetricProducer;
  /** The splits its rows are stored on (and offered to plot on). */
  splits: readonly BuiltinSplit[];
  parts: MetricParts;
  /** Spans decades: plot on a log axis by default. */
  logScale: boolean;
  run: MetricRunPolicy;
  /** The training loop also logs it per epoch (its own evaluation, not a checkpoint measurement). */
  trainingLog?: boolean;
  /** Which chart of the run view shows it, if any. */
  runView?: 'loss' | 'accuracy' | 'geometry';
}

export type MetricKeyInfo = MetricDescriptor;

/** Defaults most descriptors share; a family file overrides what differs. */
type Defaulted = 'parts' | 'logScale' | 'run';
export function metric(d: Omit<MetricDescriptor, Defaulted> & Partial<Pick<MetricDescriptor, Defaulted>>): MetricDescriptor {
  return { parts: 'model', logScale: false, run: 'default', ...d };
}
