/** Per seed group tables: the aggregated CSV (every statistic, exact) and a booktabs table (mean +- std, rounded). */
import type { ReportData } from './report-data';
import { booktabs, csv, finalColumns, hyperColumns, texEscape, texMath } from './tables';

/**
 * One row per group and quantity with at least one value. `std_ddof1` is the sample standard deviation
 * (n - 1 denominator), `sem` = std / sqrt(n), and `ci95_low`/`ci95_high` = mean -+ t(0.975, n - 1) * sem.
 * For n = 1 those four cells are empty: a single run has no spread to estimate.
 */
export function groupsCsv(data: ReportData): string {
  const hyper = hyperColumns(data);
  const rows: (string | number | null | undefined)[][] = [
    ['group', 'label', 'preset', 'runs', 'seeds', ...hyper, 'key', 'split', 'n', 'mean', 'std_ddof1', 'sem', 'ci95_low', 'ci95_high'],
  ];
  for (const g of data.groups) {
    for (const q of data.finalQuantities) {
      const s = g.stats[q.id];
      if (!s) continue;
      rows.push([
        g.id,
        g.label,
        g.preset,
        g.runIds.join(' '),
        g.seeds.join(' '),
        ...hyper.map((h) => g.hyperparameters[h]),
        q.key,
        q.split,
        s.n,
        s.mean,
        s.std,
        s.sem,
        s.ci95?.[0],
        s.ci95?.[1],
      ]);
    }
  }
  return csv(rows);
}

/** A booktabs table of mean +- sample std of the final metrics per seed group (needs \usepackage{booktabs}). */
export function groupsTex(data: ReportData): string {
  const finals = finalColumns(data);
  const head = ['Group', '$n$', ...finals.map((q) => texEscape(q.id))];
  const body = data.groups.map((g) => [
    texEscape(g.label),
    String(g.runIds.length),
    ...finals.map((q) => {
      const s = g.stats[q.id];
      if (!s) return '--';
      const value = s.std === null ? `$${texMath(s.mean)}$` : `$${texMath(s.mean)} \\pm ${texMath(s.std)}$`;
      // Fewer values than runs (a run without this metric): say how many the cell is over.
      return s.n < g.runIds.length ? `${value}\\,(${s.n})` : value;
    }),
  ]);
  const caption =
    'Final metrics per group of runs that differ only in their seed: mean $\\pm$ sample standard deviation ' +
    `($n-1$ denominator) over the group's $n$ runs; a bracketed count means fewer runs have that value, and a lone value is a single run` +
    `${data.project ? `. Project ${texEscape(data.project.name)}` : ''}.`;
  return booktabs(data, {
    note: 'Exact values, SEM and 95% t intervals are in groups.csv.',
    caption,
    label: 'tab:plateau-group-metrics',
    head,
    body,
  });
}
