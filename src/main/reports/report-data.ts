import { invalid } from '../../shared/api/errors';
import { metricInfo, type MetricKeyInfo } from '../../shared/domain/metrics';
import { kendallTau, pearson } from '../../shared/domain/stats';
import type { BuiltinSplit, MetricSeries, Run, RunStatus, Split } from '../../shared/domain/types';
import type { AppContext } from '../app/context';
import { CROSS_LINGUAL_KEYS, crossLingualOf, type CrossLingualReport } from './cross-lingual';
import { seedGroups, type ReportGroup } from './groups';
import { keyHyperparameters } from './hyperparameters';

/** One plotted or tabulated quantity: a metric key on one split. `id` names it in tables and files. */
export interface Quantity {
  id: string;
  key: string;
  split: Split;
  label: string;
  logY?: boolean;
}

export interface FigureSpec {
  id: string;
  title: string;
  caption: string;
  /** 'stacked': one x-aligned panel per quantity; 'lines': all quantities in one panel. */
  kind: 'stacked' | 'lines';
  quantities: Quantity[];
  logY?: boolean;
}

/** A registered metric on one of its splits; the log axis is the registry's choice. */
function q(key: string, split: BuiltinSplit): Quantity {
  const d = metricInfo(key);
  if (!d?.splits.includes(split)) throw new Error(`report quantity ${key} (${split}) is not a registered metric on that split`);
  return { id: key, key, split, label: split === 'none' ? key : `${key} (${split})`, logY: d.logScale };
}

const TEST_ACC = q('test_acc', 'test');
const TRAIN_ACC = q('train_acc', 'train');
const TRAIN_LOSS = q('train_loss', 'train');
const TEST_LOSS = q('test_loss', 'test');
const KAPPA = q('kappa', 'train');
const NC1 = q('nc1', 'train');
const CDNV = q('cdnv', 'train');
const GAP_ACC = q('gap_acc', 'none');

/** The default figure set; metric keys exactly as METRICS.md names them. */
export const DEFAULT_FIGURES: readonly FigureSpec[] = [
  {
    id: 'figure-1',
    kind: 'stacked',
    title: 'Test accuracy, relative flatness and neural collapse',
    caption:
      'Stacked, x-aligned panels in the layout of figure 1 of Han et al. 2025: test accuracy, relative flatness kappa, NC1 and CDNV (train split).',
    quantities: [TEST_ACC, KAPPA, NC1, CDNV],
  },
  {
    id: 'loss',
    kind: 'lines',
    title: 'Train and test loss',
    caption: 'Cross-entropy on both splits (log scale).',
    quantities: [TRAIN_LOSS, TEST_LOSS],
    logY: true,
  },
  {
    id: 'accuracy',
    kind: 'lines',
    title: 'Train and test accuracy',
    caption: 'Top-1 accuracy on both splits.',
    quantities: [TRAIN_ACC, TEST_ACC],
  },
];

/** Final-value columns of the runs table, the CSV and the TeX table. */
export const FINAL_QUANTITIES: readonly Quantity[] = [TRAIN_LOSS, TEST_LOSS, TRAIN_ACC, TEST_ACC, GAP_ACC, KAPPA, NC1, CDNV];

export const SCATTER_SPEC = {
  id: 'kappa-vs-gap',
  title: 'Final relative flatness against the accuracy gap',
  x: KAPPA,
  y: GAP_ACC,
} as const;

export interface ReportRun {
  id: number;
  name: string;
  status: RunStatus;
  preset: string | null;
  seed: number | null;
  backend: string | null;
  origin: string;
  hyperparameters: Record<string, string | number>;
  /** The full stored config and library versions, for the manifest. */
  config: Record<string, unknown>;
  versions: Record<string, string>;
  /** Checksums of the run's checkpoints, so a reader can check they hold the files the report was made from. */
  checkpoints: { step: number; epoch: number | null; bytes: number; sha256: string }[];
  /** Id of the seed group the run belongs to (see groups.ts). */
  group: string;
  /** Last measured value per quantity id; absent when the run has none. */
  final: Record<string, number>;
  /** Labels of default quantities this run has no values for. */
  missing: string[];
}

export interface ReportSeries {
  runId: number;
  quantity: string;
  key: string;
  split: Split;
  steps: number[];
  epochs: (number | null)[];
  values: number[];
}

export interface ScatterData {
  id: string;
  title: string;
  x: Quantity;
  y: Quantity;
  points: { runId: number; name: string; x: number; y: number }[];
  /** null when fewer than two runs have both values, or one side is constant. */
  kendallTau: number | null;
  pearson: number | null;
}

/** Everything a report shows, as plain JSON: writers and chart builders need nothing else. */
export interface ReportData {
  title: string;
  generatedAt: number;
  project: { id: number; name: string; description: string } | null;
  runs: ReportRun[];
  figures: FigureSpec[];
  finalQuantities: Quantity[];
  series: ReportSeries[];
  /** Every stored metric of the runs, per-layer rows included: the source of the tidy CSV. */
  allSeries: MetricSeries[];
  /** Runs that differ only in seed, with summaries of their final values. */
  groups: ReportGroup[];
  scatter: ScatterData;
  /** Per evaluation set and checkpoint, gap_loss against kappa; null when no run has a named evaluation set. */
  crossLingual: CrossLingualReport | null;
  /** Catalogue entries of the metrics shown, for definitions and citations. */
  metrics: MetricKeyInfo[];
  /** What was left out and why (missing metrics, empty figures). */
  notes: string[];
  provenance: { appVersion: string; host: string; backends: string[]; seeds: number[]; versions: Record<string, string[]> };
}

export interface ReportSelection {
  projectId?: number;
  runIds?: number[];
}

const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
const label = (r: Run) => `${r.id} ${r.name}`;

function selectRuns(ctx: AppContext, sel: ReportSelection): { runs: Run[]; project: ReportData['project'] } {
  const { repos } = ctx;
  if (sel.projectId === undefined && !sel.runIds?.length) throw invalid('Choose what to report: a project or a list of run ids.');
  const runs = sel.runIds?.length
    ? [...new Set(sel.runIds)].map((id) => repos.runs.get(id))
    : repos.runs.list(sel.projectId!).sort((a, b) => a.id - b.id);
  const stray = sel.projectId === undefined ? [] : runs.filter((r) => r.projectId !== sel.projectId);
  if (stray.length) throw invalid(`Run(s) ${stray.map((r) => r.id).join(', ')} belong to another project than the one chosen.`);
  const projectIds = new Set(runs.map((r) => r.projectId));
  const projectId = sel.projectId ?? (projectIds.size === 1 ? [...projectIds][0] : undefined);
  const p = projectId === undefined ? null : repos.projects.get(projectId);
  if (!runs.length) throw invalid(`Project '${p?.name}' has no runs to report yet.`);
  return { runs, project: p && { id: p.id, name: p.name, description: p.description } };
}

/** Gathers the runs, their metric series and final values for a comparison report, from the repositories alone. */
export function collectReportData(ctx: AppContext, sel: ReportSelection, now = Date.now()): ReportData {
  const { runs, project } = selectRuns(ctx, sel);
  const quantities = [...new Map([...DEFAULT_FIGURES.flatMap((f) => f.quantities), ...FINAL_QUANTITIES].map((x) => [x.id, x])).values()];
  const keys = [...new Set(quantities.map((x) => x.key))];
  const stored = ctx.repos.metrics.series(
    runs.map((r) => r.id),
    keys,
  );
  // Per-layer rows (layer != '') describe single weight matrices; the report compares whole models.
  const series: ReportSeries[] = stored.flatMap((s) => {
    const qty = quantities.find((x) => x.key === s.key && x.split === s.split);
    return qty && s.layer === '' && s.values.length
      ? [{ runId: s.runId, quantity: qty.id, key: s.key, split: s.split, steps: s.steps, epochs: s.epochs, values: s.values }]
      : [];
  });
  const has = (runId: number, id: string) => series.some((s) => s.runId === runId && s.quantity === id);

  const notes: string[] = [];
  const reportRuns: ReportRun[] = runs.map((r) => {
    const final: Record<string, number> = {};
    for (const s of series.filter((x) => x.runId === r.id)) {
      const v = finite(s.values[s.values.length - 1]);
      if (v !== null) final[s.quantity] = v;
    }
    const missing = quantities.filter((x) => !has(r.id, x.id)).map((x) => x.label);
    if (missing.length)
      notes.push(
        `Run ${label(r)} has no ${missing.join(', ')}: left out of the figures and tables that need ${missing.length > 1 ? 'them' : 'it'}.`,
      );
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      preset: r.preset,
      seed: r.seed,
      backend: r.backend,
      origin: r.origin,
      hyperparameters: keyHyperparameters(r.config),
      config: r.config,
      versions: r.versions,
      checkpoints: ctx.repos.checkpoints.list(r.id).map((c) => ({ step: c.step, epoch: c.epoch, bytes: c.bytes, sha256: c.sha256 })),
      group: '',
      final,
      missing,
    };
  });
  // Groups need every run's final values, so each run's group id is filled in afterwards.
  const { groups, groupOf } = seedGroups(
    reportRuns,
    FINAL_QUANTITIES.map((x) => x.id),
  );
  for (const r of reportRuns) r.group = groupOf.get(r.id)!;
  const allKeys = [...new Set(runs.flatMap((r) => ctx.repos.metrics.keysOf(r.id).map((k) => k.key)))];
  if (reportRuns.some((r) => r.missing.some((m) => [KAPPA, NC1, CDNV].some((x) => x.label === m)))) {
    notes.push('Flatness and collapse metrics come from checkpoint metrics jobs: compute them for a run to add them.');
  }
  const figures = DEFAULT_FIGURES.filter((f) => {
    const any = runs.some((r) => f.quantities.some((x) => has(r.id, x.id)));
    if (!any) notes.push(`Figure '${f.title}' is left out: no run has ${f.quantities.map((x) => x.label).join(', ')}.`);
    return any;
  });

  const scatter = scatterOf(reportRuns);
  if (scatter.points.length < reportRuns.length) {
    const out = reportRuns.filter((r) => !scatter.points.some((p) => p.runId === r.id)).map((r) => `${r.id}`);
    notes.push(`${SCATTER_SPEC.title}: run(s) ${out.join(', ')} lack a final ${SCATTER_SPEC.x.label} or ${SCATTER_SPEC.y.label}.`);
  }
  if (scatter.kendallTau === null) notes.push(`${SCATTER_SPEC.title}: correlations need two or more runs with both values, not constant.`);

  const crossLingual = crossLingualOf(
    ctx.repos.metrics.series(
      runs.map((r) => r.id),
      [...CROSS_LINGUAL_KEYS],
    ),
    runs,
  );
  if (crossLingual?.missingY.length)
    notes.push(`Cross-lingual figure: set(s) ${crossLingual.missingY.join(', ')} have no gap_loss (no training set named for them).`);
  const shown = new Set(series.map((s) => s.key));
  const versions: Record<string, string[]> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.versions)) versions[k] = [...new Set([...(versions[k] ?? []), v])].sort();
  return {
    title: sel.runIds?.length
      ? `Plateau report: runs ${runs.map((r) => r.id).join(', ')}${project ? ` of ${project.name}` : ''}`
      : `Plateau report: ${project!.name}`,
    generatedAt: now,
    project,
    runs: reportRuns,
    figures,
    finalQuantities: [...FINAL_QUANTITIES],
    series,
    allSeries: ctx.repos.metrics.series(
      runs.map((r) => r.id),
      allKeys,
    ),
    groups,
    scatter,
    crossLingual,
    metrics: keys
      .filter((k) => shown.has(k))
      .map((k) => metricInfo(k))
      .filter((m): m is MetricKeyInfo => !!m),
    notes,
    provenance: {
      appVersion: ctx.appVersion,
      host: ctx.host,
      backends: [...new Set(runs.map((r) => r.backend).filter((b): b is string => !!b))].sort(),
      seeds: [...new Set(runs.map((r) => r.seed).filter((s): s is number => s !== null))].sort((a, b) => a - b),
      versions,
    },
  };
}

function scatterOf(runs: ReportRun[]): ScatterData {
  const { x, y } = SCATTER_SPEC;
  const points = runs
    .filter((r) => x.id in r.final && y.id in r.final)
    .map((r) => ({ runId: r.id, name: `${r.id} ${r.name}`, x: r.final[x.id], y: r.final[y.id] }));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { ...SCATTER_SPEC, points, kendallTau: finite(kendallTau(xs, ys)), pearson: finite(pearson(xs, ys)) };
}
