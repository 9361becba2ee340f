import { crossLingualPoints, evalSetsIn, type CrossPoint } from '../../shared/domain/cross-lingual';
import type { MetricSeries } from '../../shared/domain/types';
import type { ReportFigure } from './charts';
import { formatStat, PALETTE } from './charts';

/**
 * The cross-lingual figure of a report (issue 15's study, also for imported LM dump sets): per evaluation
 * set and checkpoint, the set's perplexity gap (gap_loss = loss(set) - train_loss) against head kappa on
 * that set, with Kendall's tau and Pearson's rho over all sets x checkpoints of the reported runs.
 */
export interface CrossLingualReport {
  id: 'cross-lingual';
  title: string;
  x: string;
  y: string;
  sets: string[];
  points: CrossPoint[];
  /** null below two points, or when one side is constant */
  kendallTau: number | null;
  pearson: number | null;
  /** sets with kappa but no gap_loss (no training set named) */
  missingY: string[];
}

export const CROSS_LINGUAL_KEYS = ['kappa', 'gap_loss'] as const;

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** From the stored series of the runs (all splits); null when no run has a named evaluation set. */
export function crossLingualOf(series: readonly MetricSeries[], runs: readonly { id: number; name: string }[]): CrossLingualReport | null {
  const sets = evalSetsIn(series.filter((s) => s.key === 'kappa' || s.key === 'gap_loss'));
  if (!sets.length) return null;
  const [x, y] = CROSS_LINGUAL_KEYS;
  const d = crossLingualPoints(series, runs, sets, x, y);
  return {
    id: 'cross-lingual',
    title: 'Cross-lingual: perplexity gap against head kappa, per evaluation set',
    x,
    y,
    sets,
    points: d.points,
    kendallTau: finite(d.tau),
    pearson: finite(d.rho),
    missingY: d.missingY,
  };
}

export function crossLingualFigure(c: CrossLingualReport): ReportFigure {
  const stats = `Kendall τ = ${formatStat(c.kendallTau)}   Pearson ρ = ${formatStat(c.pearson)}   (n = ${c.points.length})`;
  const base = {
    animation: false,
    backgroundColor: '#ffffff',
    color: PALETTE,
    title: { text: stats, left: 'center', top: 4, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    legend: { bottom: 0, data: c.sets },
    grid: { left: 80, right: 32, top: 40, bottom: 64 },
    xAxis: { type: 'value', name: `${c.x} (per set)`, nameLocation: 'middle', nameGap: 30, scale: true },
    yAxis: { type: 'value', name: `${c.y} (per set)`, scale: true },
    series: c.sets.map((set) => ({
      name: set,
      type: 'scatter',
      symbolSize: 9,
      data: c.points.filter((p) => p.set === set).map((p) => ({ name: `${p.run} @ step ${p.step}`, value: [p.x, p.y] })),
    })),
  };
  return {
    id: c.id,
    title: c.title,
    width: 700,
    height: 460,
    static: base,
    interactive: { ...base, tooltip: { trigger: 'item' } },
    caption:
      `One point per run, evaluation set (colour) and checkpoint: ${c.x} of the head on the set against the set's ${c.y} ` +
      '(loss(set) - train_loss, the log of the perplexity ratio), with rank (Kendall tau-b) and linear (Pearson) correlation over all points.',
  };
}
