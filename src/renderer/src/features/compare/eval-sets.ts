import type { MetricDescriptor } from '../../../../shared/domain/metrics';
import { kendallTau, pearson } from '../../../../shared/domain/stats';
import { SPLITS, type MetricSeries, type Run } from '../../../../shared/domain/types';
import { choiceValue, EACH_SET, runLabel, type Choice } from './compare-data';

// Named evaluation sets (METRICS.md): a language, a corpus, whose values are stored under its name as the split.
const BUILTIN = new Set<string>(SPLITS);

/** Keys of a set besides the catalogue's per-split ones: its loss and accuracy (METRICS.md). */
const SET_ONLY = [
  { key: 'loss', label: 'loss (per set)', logY: true },
  { key: 'acc', label: 'acc (per set)', logY: false },
];

/** The evaluation sets the series hold values for, sorted. */
export function evalSetsIn(series: readonly MetricSeries[]): string[] {
  return [...new Set(series.map((s) => s.split).filter((s) => !BUILTIN.has(s)))].sort();
}

/** Metrics offered per evaluation set: loss, acc, gap_loss, and every per-split key of the catalogue. */
export function setChoices(keys: readonly MetricDescriptor[]): Choice[] {
  const perSplit = keys.filter((k) => k.splits.includes('train') && k.splits.includes('test') && k.parts !== 'each');
  const gap = keys.filter((k) => k.key === 'gap_loss');
  return [
    ...SET_ONLY.map(({ key, label, logY }) => ({ value: choiceValue(key, EACH_SET), key, split: EACH_SET, label, logY })),
    ...[...gap, ...perSplit].map((k) => ({
      value: choiceValue(k.key, EACH_SET),
      key: k.key,
      split: EACH_SET,
      label: `${k.key} (per set)`,
      logY: k.key === 'gap_loss' ? false : k.logScale,
      parts: k.parts,
    })),
  ];
}

/** The head measures the cross-lingual panel sets against the gap, and what it may plot on y. */
export const CROSS_X = ['kappa', 'gnc2', 'nc1'] as const;
export const CROSS_Y = ['gap_loss', 'perplexity', 'loss'] as const;
export type CrossX = (typeof CROSS_X)[number];
export type CrossY = (typeof CROSS_Y)[number];

export interface CrossPoint {
  run: string;
  set: string;
  step: number;
  x: number;
  y: number;
}

export interface CrossLingualData {
  points: CrossPoint[];
  /** over every point (runs x sets x checkpoints); NaN below two points */
  tau: number;
  rho: number;
  /** sets with an x value but no y (e.g. no training set named, so no gap_loss) */
  missingY: string[];
}

/**
 * Per set and checkpoint, the head measure `x` against `y` (by default the set's loss gap), for every
 * chosen run: one point where both were measured at the same step. Kendall's tau and Pearson's rho are
 * taken over all points, sets x checkpoints (x runs), as the language-model issue asks.
 */
export function crossLingualData(
  all: readonly MetricSeries[],
  runs: readonly Run[],
  sets: readonly string[],
  x: string,
  y: string,
): CrossLingualData {
  const points: CrossPoint[] = [];
  const missingY = new Set<string>();
  const find = (runId: number, key: string, set: string) =>
    all.find((s) => s.runId === runId && s.key === key && s.split === set && s.layer === '');
  for (const r of runs) {
    for (const set of sets) {
      const xs = find(r.id, x, set);
      if (!xs) continue;
      const ys = find(r.id, y, set);
      if (!ys) {
        missingY.add(set);
        continue;
      }
      const yAt = new Map(ys.steps.map((st, i) => [st, ys.values[i]]));
      xs.steps.forEach((step, i) => {
        const yv = yAt.get(step);
        if (yv === undefined || !Number.isFinite(yv) || !Number.isFinite(xs.values[i])) return;
        points.push({ run: runLabel(r), set, step, x: xs.values[i], y: yv });
      });
    }
  }
  return {
    points,
    tau: kendallTau(
      points.map((p) => p.x),
      points.map((p) => p.y),
    ),
    rho: pearson(
      points.map((p) => p.x),
      points.map((p) => p.y),
    ),
    missingY: [...missingY],
  };
}
