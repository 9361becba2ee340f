import type { MetricJobOptions } from '../../../shared/api/contract';
import { invalid } from '../../../shared/api/errors';
import { metricInfo } from '../../../shared/domain/metrics';
import type { MetricRow } from '../../../shared/jobs/messages';
import type { SplitTensors } from '../data/tensors';
import type { Model } from '../models/model';

/** Weights of a checkpoint by name (the run's step-0 checkpoint, for dist_from_init). */
export type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** What a producer measures: one checkpoint's model (weights loaded), the run's splits, and the job's options. */
export interface CheckpointInput {
  model: Model;
  train: SplitTensors;
  test: SplitTensors;
  /** Named evaluation sets (a language, a corpus), measured like the test split. */
  sets?: Record<string, SplitTensors>;
  at: { step: number; epoch: number | null };
  init?: NamedWeights;
  options: MetricJobOptions;
}

/** Computes the wanted keys (all of them its own) as database rows. */
export type MetricProducerFn = (input: CheckpointInput, keys: ReadonlySet<string>) => MetricRow[];

/*
 * Producers by id: a descriptor's `producer` names the code that computes it. Built-ins register in
 * builtin-producers.ts; a plugin's producer registers when the worker loads the plugin.
 */
const PRODUCERS = new Map<string, MetricProducerFn>();

export function registerProducer(id: string, fn: MetricProducerFn): void {
  if (PRODUCERS.has(id)) throw invalid(`a metric producer '${id}' is already registered`, { producer: id });
  PRODUCERS.set(id, fn);
}

/** The requested keys grouped by producer, in the order the keys come; unknown keys and missing producers are errors. */
export function producerPlan(keys: readonly string[]): [string, Set<string>][] {
  const plan = new Map<string, Set<string>>();
  for (const key of keys) {
    const info = metricInfo(key);
    if (!info) throw invalid(`unknown metric '${key}'`, { key });
    if (!PRODUCERS.has(info.producer)) {
      throw invalid(`metric '${key}': no producer '${info.producer}' is registered in this worker`, { key });
    }
    plan.set(info.producer, (plan.get(info.producer) ?? new Set()).add(key));
  }
  return [...plan];
}

/**
 * Measures one checkpoint: one batch of rows per producer, so fast families can be stored before slow
 * ones (HVPs) finish. Rows of keys not asked for and non-finite values are dropped (never stored as NaN).
 */
export function* measureCheckpoint(input: CheckpointInput, keys: readonly string[]): Generator<MetricRow[]> {
  for (const [id, wanted] of producerPlan(keys)) {
    yield PRODUCERS.get(id)!(input, wanted).filter((r) => wanted.has(r.key) && Number.isFinite(r.value));
  }
}
