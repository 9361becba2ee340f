import { metricInfo } from '../../shared/domain/metrics';
import type { MetricRow } from '../../shared/jobs/messages';
import { collapseClasses, DEFAULT_COLLAPSE_TOP_K } from '../ml/metrics/collapse-classes';
import { computeEvalSetMetrics } from '../ml/metrics/eval-sets';
import { openDumpSet } from './lm-dump-set';

type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/**
 * An LM dump set's metrics as rows at its step (METRICS.md "Named evaluation sets"): each set's keys
 * under the set's name (loss, acc, perplexity, kappa, nc1, ... and gap_loss), train_loss / train_acc on
 * 'train' when a set stands for the training data, the head's weights-only keys on 'none'. Streams the
 * chunks: memory stays at the head plus one chunk.
 */
export function dumpSetRows(path: string, stepOverride?: number | null, onSet?: (name: string, i: number, total: number) => void) {
  const set = openDumpSet(path);
  const step = stepOverride ?? set.step ?? 0;
  const topK = DEFAULT_COLLAPSE_TOP_K;
  const r = computeEvalSetMetrics(set.splits, set.layer, undefined, { trainSet: set.trainSet, collapseTopK: topK, onSet });
  const rows: MetricRow[] = [];
  const push = (key: string, split: string, value: number, details?: Record<string, unknown>) =>
    rows.push({ step, epoch: null, split, key, value, checkpointStep: step, ...(details ? { details } : {}) });
  for (const { name, split } of set.splits) {
    // The many-classes rule is part of how a collapse value was computed (as for a run's own checkpoints).
    let collapse: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(r.sets[name] ?? {})) {
      if (metricInfo(key)?.family === 'collapse') {
        if (!collapse) {
          const cls = collapseClasses(split.labels, split.n, set.C, topK);
          collapse = { collapse_top_k: topK, classes_present: cls.present, classes_used: cls.classes.length };
        }
        push(key, name, value, collapse);
      } else push(key, name, value);
    }
  }
  for (const [key, value] of Object.entries(r.model)) push(key, metricInfo(key)!.splits[0], value);
  return { rows, weights: () => headWeights(path), step, omitted: r.omitted };
}

/** The head as the checkpoint's weights (float32), read again when it is written: not kept while others compute. */
export function headWeights(path: string): Weights {
  const { layer } = openDumpSet(path, { headOnly: true });
  const weights: Weights = { weight: { shape: [layer.C, layer.m], data: Float32Array.from(layer.weight) } };
  if (layer.bias) weights.bias = { shape: [layer.C], data: Float32Array.from(layer.bias) };
  return weights;
}
