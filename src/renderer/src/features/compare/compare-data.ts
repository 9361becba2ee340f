import type { MetricDescriptor, MetricParts } from '../../../../shared/domain/metrics';
import { kendallTau, meanStd, pearson } from '../../../../shared/domain/stats';
import type { MetricSeries, Run, Split } from '../../../../shared/domain/types';
import type { ScatterPoint } from '../../charts/scatter-option';
import type { Panel } from '../../charts/stacked-option';
import { flattenConfig, varyingKeys } from '../runs/run-columns';

/** A plottable quantity: a metric key on one split (weights-only keys describe the last layer). */
export interface Choice {
  value: string;
  key: string;
  split: Split;
  label: string;
  /** The registry's log-axis hint. */
  logY?: boolean;
  /** 'each' / 'index': one line per stored layer or index (kappa_layer, hessian_top_eigs). */
  parts?: MetricParts;
}

export const choiceValue = (key: string, split: Split) => `${key}|${split}`;

/** The split of a choice drawn on every chosen evaluation set: one line per run x set (eval-sets.ts). */
export const EACH_SET = '@sets';

/**
 * The intervention terms a run logs while they are active (their batch mean per epoch; key names as
 * interventions.ts's termLogKeys): not METRICS.md metrics, since temperature and unit-norm features change them.
 */
const TERM_KINDS = ['fam', 'anti_flatness', 'anti_collapse'];
const TERM_CHOICES: Choice[] = [
  ...TERM_KINDS.map((kind): Choice => {
    const key = `intervention_${kind}`;
    return { value: choiceValue(key, 'train'), key, split: 'train', label: `${key} (term, train batches)` };
  }),
  // a term placed off the head (placement 'block:k' or 'all') also stores its part on each placed layer
  ...TERM_KINDS.map((kind): Choice => {
    const key = `intervention_${kind}`;
    return { value: `${choiceValue(key, 'train')}|layers`, key, split: 'train', label: `${key} per placed layer`, parts: 'each' };
  }),
];

/** Every metric on the splits the registry stores it on; then the intervention terms. */
export function metricChoices(keys: MetricDescriptor[]): Choice[] {
  return [...catalogueChoices(keys), ...TERM_CHOICES];
}

function catalogueChoices(keys: MetricDescriptor[]): Choice[] {
  return keys.flatMap((k) =>
    k.splits.map((split): Choice => ({
      value: choiceValue(k.key, split),
      key: k.key,
      split,
      label: split === 'none' ? k.key : `${k.key} (${split})`,
      logY: k.logScale,
      parts: k.parts,
    })),
  );
}

/** The figure-1 defaults of Han et al. 2025: test accuracy, relative flatness, NC1 and CDNV. */
export const DEFAULT_CHOICES = [
  choiceValue('test_acc', 'test'),
  choiceValue('kappa', 'train'),
  choiceValue('nc1', 'train'),
  choiceValue('cdnv', 'train'),
];

/** Runs of the same recipe that differ only in seed share a group (their config without the seed). */
export function groupKey(run: Run): string {
  const { seed: _seed, ...rest } = run.config as Record<string, unknown>;
  return `${run.preset ?? 'custom'} ${JSON.stringify(rest)}`;
}

export const runLabel = (r: Run) => `${r.id} ${r.name}`;
const groupLabel = (runs: Run[]) => `${runs[0].name.replace(/ s\d+$/, '')} (${runs.length} seeds)`;

const multiPart = (c: Choice) => c.parts === 'each' || c.parts === 'index';

/** The stored lines of a choice for one run: the '' row, or every layer / index of a per-part metric (in numeric order). */
function picks(all: MetricSeries[], runId: number, c: Choice, x: 'epoch' | 'step') {
  const multi = multiPart(c);
  return all
    .filter((m) => m.runId === runId && m.key === c.key && m.split === c.split && (multi ? m.layer !== '' : m.layer === ''))
    .sort((a, b) => a.layer.localeCompare(b.layer, 'en', { numeric: true }))
    .map((s) => ({ part: s.layer, x: x === 'epoch' ? s.epochs.map((e, i) => e ?? s.steps[i]) : s.steps, y: s.values }));
}

/**
 * One panel per chosen metric: a line per run (and per layer or index), or per seed group with a mean +- std
 * band; a per-set choice (EACH_SET) repeats that for each chosen evaluation set.
 */
export function buildPanels(
  all: MetricSeries[],
  runs: Run[],
  choices: Choice[],
  opts: { x: 'epoch' | 'step'; group: boolean; sets?: readonly string[] },
): Panel[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const k = opts.group ? groupKey(r) : String(r.id);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return choices.map((c) => {
    const panel: Panel = { title: c.label, series: [], logY: c.logY ?? false };
    const splits = c.split === EACH_SET ? (opts.sets ?? []) : [c.split];
    for (const members of groups.values()) {
      for (const split of splits) {
        const byRun = members.map((r) => picks(all, r.id, { ...c, split }, opts.x));
        const parts = [...new Set(byRun.flat().map((l) => l.part))];
        for (const part of parts) {
          const suffix = (c.split === EACH_SET ? ` · ${split}` : '') + (part ? ` [${part}]` : '');
          const lines = byRun
            .map((ls) => ls.find((l) => l.part === part))
            .filter((l) => !!l)
            .map(({ x, y }) => ({ x, y }));
          if (members.length === 1 || lines.length === 1) {
            panel.series.push({ name: (members.length === 1 ? runLabel(members[0]) : groupLabel(members)) + suffix, ...lines[0] });
            continue;
          }
          const name = groupLabel(members) + suffix;
          const { mean, std } = meanStd(lines.map((l) => l.y));
          panel.series.push({ name, x: lines[0].x.slice(0, mean.length), y: mean });
          (panel.bands ??= {})[name] = { lower: mean.map((m, i) => m - std[i]), upper: mean.map((m, i) => m + std[i]) };
        }
      }
    }
    return panel;
  });
}

/** Numeric hyperparameters that vary across these runs, as scatter axes (e.g. width, for double descent). */
export function hyperparameterChoices(runs: Run[]): Choice[] {
  return varyingKeys(runs)
    .filter((k) => runs.some((r) => typeof flattenConfig(r.config)[k] === 'number'))
    .map((k) => ({ value: `hp:${k}`, key: `hp:${k}`, split: 'none' as const, label: `${k} (setting)` }));
}

/** Final value of a metric (the last step it was measured at), or a hyperparameter's value, for each run. */
export function finalValues(all: MetricSeries[], runs: Run[], c: Choice): Map<number, number> {
  const out = new Map<number, number>();
  if (c.key.startsWith('hp:')) {
    for (const r of runs) {
      const v = flattenConfig(r.config)[c.key.slice(3)];
      if (typeof v === 'number') out.set(r.id, v);
    }
    return out;
  }
  for (const r of runs) {
    // a per-part metric gives its first layer or index (e.g. the top eigenvalue)
    const s = picks(all, r.id, c, 'step')[0];
    if (s?.y.length) out.set(r.id, s.y[s.y.length - 1]);
  }
  return out;
}

/** Runs whose last values are final: trained to the end, or imported. Others may still move (or stopped early). */
const FINISHED = new Set<Run['status']>(['succeeded', 'imported']);

export interface ScatterData {
  points: ScatterPoint[];
  /** Over the finished runs only; NaN below two of them. */
  tau: number;
  rho: number;
  n: number;
  /** Runs drawn but not counted, with their status (running, failed, ...). */
  leftOut: { name: string; status: Run['status'] }[];
}

/** The scatter's points (every run with both values) and Kendall's tau and Pearson's rho over the finished ones. */
export function scatterData(all: MetricSeries[], runs: Run[], xc: Choice, yc: Choice): ScatterData {
  const xs = finalValues(all, runs, xc);
  const ys = finalValues(all, runs, yc);
  const both = runs.filter((r) => xs.has(r.id) && ys.has(r.id) && Number.isFinite(xs.get(r.id)) && Number.isFinite(ys.get(r.id)));
  const points = both.map((r) => ({ name: runLabel(r), x: xs.get(r.id)!, y: ys.get(r.id)!, counted: FINISHED.has(r.status) }));
  const counted = points.filter((p) => p.counted);
  return {
    points,
    tau: kendallTau(
      counted.map((p) => p.x),
      counted.map((p) => p.y),
    ),
    rho: pearson(
      counted.map((p) => p.x),
      counted.map((p) => p.y),
    ),
    n: counted.length,
    leftOut: both.filter((r) => !FINISHED.has(r.status)).map((r) => ({ name: runLabel(r), status: r.status })),
  };
}
