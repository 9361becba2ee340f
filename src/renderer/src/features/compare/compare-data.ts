import type { MetricKeyInfo } from '../../../../shared/domain/metric-keys';
import { meanStd } from '../../../../shared/domain/stats';
import type { MetricSeries, Run, Split } from '../../../../shared/domain/types';
import type { Panel } from '../../charts/stacked-option';
import { flattenConfig, varyingKeys } from '../runs/run-columns';

/** A plottable quantity: a metric key on one split (weights-only keys describe the last layer). */
export interface Choice {
  value: string;
  key: string;
  split: Split;
  label: string;
}

export const choiceValue = (key: string, split: Split) => `${key}|${split}`;

/**
 * The intervention terms a run logs while they are active (their batch mean per epoch; key names as
 * interventions.ts's termLogKeys): not METRICS.md metrics, since temperature and unit-norm features change them.
 */
const TERM_CHOICES: Choice[] = ['fam', 'anti_flatness', 'anti_collapse'].map((kind) => {
  const key = `intervention_${kind}`;
  return { value: choiceValue(key, 'train'), key, split: 'train', label: `${key} (term, train batches)` };
});

/** Every metric on the splits it exists on: per-split families on train and test, the rest on their own; then the intervention terms. */
export function metricChoices(keys: MetricKeyInfo[]): Choice[] {
  return [...catalogueChoices(keys), ...TERM_CHOICES];
}

function catalogueChoices(keys: MetricKeyInfo[]): Choice[] {
  return keys.flatMap((k): Choice[] => {
    const make = (split: Split) => ({ value: choiceValue(k.key, split), key: k.key, split, label: split === 'none' ? k.key : `${k.key} (${split})` });
    if (k.family === 'flatness' || k.family === 'collapse') return [make('train'), make('test')];
    if (k.family === 'generalization') return [make(k.key.startsWith('test_') ? 'test' : k.key.startsWith('gap_') ? 'none' : 'train')];
    if (k.family === 'hessian') return [make('train')];
    return [make('none')];
  });
}

/** The figure-1 defaults of Han et al. 2025: test accuracy, relative flatness, NC1 and CDNV. */
export const DEFAULT_CHOICES = [choiceValue('test_acc', 'test'), choiceValue('kappa', 'train'), choiceValue('nc1', 'train'), choiceValue('cdnv', 'train')];

/** Runs of the same recipe that differ only in seed share a group (their config without the seed). */
export function groupKey(run: Run): string {
  const { seed: _seed, ...rest } = run.config as Record<string, unknown>;
  return `${run.preset ?? 'custom'} ${JSON.stringify(rest)}`;
}

export const runLabel = (r: Run) => `${r.id} ${r.name}`;
const groupLabel = (runs: Run[]) => `${runs[0].name.replace(/ s\d+$/, '')} (${runs.length} seeds)`;

function pick(all: MetricSeries[], runId: number, c: Choice, x: 'epoch' | 'step') {
  const s = all.find((m) => m.runId === runId && m.key === c.key && m.split === c.split && m.layer === '');
  if (!s) return undefined;
  return { x: x === 'epoch' ? s.epochs.map((e, i) => e ?? s.steps[i]) : s.steps, y: s.values };
}

/** One panel per chosen metric: a line per run, or per seed group with a mean +- std band. */
export function buildPanels(all: MetricSeries[], runs: Run[], choices: Choice[], opts: { x: 'epoch' | 'step'; group: boolean }): Panel[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const k = opts.group ? groupKey(r) : String(r.id);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return choices.map((c) => {
    const panel: Panel = { title: c.label, series: [], logY: c.key.includes('loss') || c.key === 'nc1' || c.key === 'cdnv' };
    for (const members of groups.values()) {
      const lines = members.map((r) => pick(all, r.id, c, opts.x)).filter((l): l is { x: number[]; y: number[] } => !!l);
      if (!lines.length) continue;
      if (members.length === 1 || lines.length === 1) {
        panel.series.push({ name: members.length === 1 ? runLabel(members[0]) : groupLabel(members), ...lines[0] });
        continue;
      }
      const name = groupLabel(members);
      const { mean, std } = meanStd(lines.map((l) => l.y));
      panel.series.push({ name, x: lines[0].x.slice(0, mean.length), y: mean });
      (panel.bands ??= {})[name] = { lower: mean.map((m, i) => m - std[i]), upper: mean.map((m, i) => m + std[i]) };
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
    const s = pick(all, r.id, c, 'step');
    if (s?.y.length) out.set(r.id, s.y[s.y.length - 1]);
  }
  return out;
}
