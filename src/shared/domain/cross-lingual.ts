import { kendallTau, pearson } from './stats';
import { SPLITS, type MetricSeries, type Run } from './types';

// The cross-lingual study (METRICS.md "Named evaluation sets"): per evaluation set and checkpoint, a head
// measure against the set's generalisation gap. Shared by the Compare view and reports. Pure, isomorphic.

const BUILTIN = new Set<string>(SPLITS);

/** The evaluation sets the series hold values for (splits other than train, test, none), sorted. */
export function evalSetsIn(series: readonly MetricSeries[]): string[] {
  return [...new Set(series.map((s) => s.split).filter((s) => !BUILTIN.has(s)))].sort();
}

/** The head measures the cross-lingual panel sets against the gap, and what it may plot on y. */
export const CROSS_X = ['kappa', 'gnc2', 'nc1'] as const;
export const CROSS_Y = ['gap_loss', 'perplexity', 'loss'] as const;
export type CrossX = (typeof CROSS_X)[number];
export type CrossY = (typeof CROSS_Y)[number];

export interface CrossPoint {
  runId: number;
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
export function crossLingualPoints(
  all: readonly MetricSeries[],
  runs: readonly Pick<Run, 'id' | 'name'>[],
  sets: readonly string[],
  x: string,
  y: string,
  label: (r: Pick<Run, 'id' | 'name'>) => string = (r) => `${r.id} ${r.name}`,
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
        points.push({ runId: r.id, run: label(r), set, step, x: xs.values[i], y: yv });
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
