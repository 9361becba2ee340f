import { invalid } from '../../../shared/api/errors';
import { checkInputs, flatnessRouteFor, headFloat64 } from './feature-scan';
import { PER_SPLIT_KEYS, resolveKeys, splitMetrics } from './closed-form';
import { WEIGHT_KEYS, weightMetrics } from './weights';
import {
  put,
  type ChunkedSplit,
  type ClosedFormOptions,
  type FeatureSource,
  type LastLayer,
  type MetricBag,
  type MetricValues,
} from './types';

/**
 * METRICS.md "Named evaluation sets": every split-scoped key per set, stored under the set's name,
 * `loss` / `acc` / `perplexity` included; `gap_loss` of a set = loss(set) - train_loss, where the
 * training loss is that of the set named as the training data (none named: no gap).
 */
export interface EvalSetMetrics {
  /** per set: the per-split keys wanted, plus loss, acc and (with a training set) gap_loss */
  sets: Record<string, MetricValues>;
  /** keys of no set: the head's weights-only keys, and train_loss / train_acc when a training set is named */
  model: MetricValues;
  /** keys left out, as `set.key` (or the key for model-level ones), with the reason */
  omitted: Record<string, string>;
  /** where the many-classes rule applied: K and, per set, the classes present */
  collapse?: MetricValues;
  trainSet: string | null;
}

export interface EvalSetOptions extends ClosedFormOptions {
  /** The set standing for the training data (gap_loss is measured from it). */
  trainSet?: string | null;
  /** Called before each set is scanned (two passes over its chunks). */
  onSet?: (name: string, index: number, total: number) => void;
}

export function computeEvalSetMetrics(
  sets: readonly { name: string; split: FeatureSource | ChunkedSplit }[],
  layer: LastLayer,
  keys?: readonly string[],
  options: EvalSetOptions = {},
): EvalSetMetrics {
  const wanted = resolveKeys(keys);
  const trainSet = options.trainSet ?? null;
  if (trainSet !== null && !sets.some((s) => s.name === trainSet))
    throw invalid(`the training set '${trainSet}' is not one of the evaluation sets (${sets.map((s) => s.name).join(', ')})`);
  const perSet = new Set(PER_SPLIT_KEYS.filter((k) => wanted.has(k)));
  const out: EvalSetMetrics = { sets: {}, model: {}, omitted: {}, trainSet };
  const losses = new Map<string, { loss: number; acc: number }>();
  const collapse: MetricValues = {};
  const needData = perSet.size > 0 || ['gap_loss', 'train_loss', 'train_acc'].some((k) => wanted.has(k));
  // One float64 copy of the head for every set (C x m: 300 MiB for GPT-2's head), not one per set
  let weight64 = needData && sets.length ? headFloat64(layer, flatnessRouteFor(layer.C, options.flatnessRoute)) : undefined;
  (needData ? sets : []).forEach(({ name, split }, i) => {
    const where = `evaluation set '${name}'`;
    checkInputs(split, layer, where);
    options.onSet?.(name, i, sets.length);
    const { first, bag } = splitMetrics(split, layer, perSet, options, where, weight64);
    const loss = first.lossSum / first.n;
    const acc = first.correct / first.n;
    losses.set(name, { loss, acc });
    const values: MetricBag = { values: {}, omitted: {} };
    put(values, 'loss', loss);
    put(values, 'acc', acc);
    Object.assign(values.values, bag.values);
    Object.assign(values.omitted, bag.omitted);
    out.sets[name] = values.values;
    for (const [k, why] of Object.entries(values.omitted)) out.omitted[`${name}.${k}`] = why;
    if (first.cls.restricted && [...perSet].some((k) => k !== 'perplexity')) {
      collapse.collapse_top_k = first.cls.topK;
      collapse[`${name}.classes_present`] = first.cls.present;
      collapse[`${name}.samples_used`] = first.cls.samples;
    }
  });
  weight64 = undefined; // free before the weights-only keys make their own
  const train = trainSet === null ? null : (losses.get(trainSet) ?? null);
  if (needData && wanted.has('gap_loss')) {
    for (const name of losses.keys()) {
      if (train) out.sets[name].gap_loss = losses.get(name)!.loss - train.loss;
      else out.omitted[`${name}.gap_loss`] = 'no set is named as the training data (train_set), so there is no train_loss to measure from';
    }
  }
  if (train && wanted.has('train_loss')) put(asBag(out), 'train_loss', train.loss);
  if (train && wanted.has('train_acc')) put(asBag(out), 'train_acc', train.acc);
  if (WEIGHT_KEYS.some((k) => wanted.has(k))) {
    const w = weightMetrics(layer.weight, layer.C, layer.m, { keys: wanted });
    Object.assign(out.model, w.values);
    Object.assign(out.omitted, w.omitted);
  }
  for (const name of Object.keys(out.sets)) out.sets[name] = sortKeys(out.sets[name]);
  out.model = sortKeys(out.model);
  if (Object.keys(collapse).length) out.collapse = collapse;
  return out;
}

const asBag = (out: EvalSetMetrics): MetricBag => ({ values: out.model, omitted: out.omitted });

const sortKeys = (v: MetricValues): MetricValues => Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
