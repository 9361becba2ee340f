import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { invalid } from '../../shared/api/errors';
import { readFeatureDump } from '../io/feature-dump';
import { dumpSetManifestPath } from '../io/lm-dump-set';
import { computeDumpMetrics, type DumpMetrics } from '../ml/metrics';
import type { MetricJobOptions } from '../../shared/api/contract';
import { metricInfo, resolveJobKeys, type MetricDescriptor } from '../../shared/domain/metrics';
import { emit, table, type GlobalOptions } from './output';
import { withClient } from './session';
import { dumpSetMetrics } from './dump-set-output';

const fmt = (v: unknown) =>
  typeof v === 'number' ? (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(6) : v.toExponential(5)) : '';

function humanTable(r: DumpMetrics): string {
  const keys = Object.keys(r).filter((k) => typeof r[k] === 'number');
  const rows = keys.map((k) => [k, fmt(r[k]), fmt(r.test?.[k])]);
  const omitted = Object.entries(r.omitted ?? {}).map(([k, why]) => `  ${k}: ${why}`);
  const c = r.collapse;
  const rule = c ? [`Collapse keys on the ${c.collapse_top_k} most frequent classes (${c.classes_present} present in train).`] : [];
  const notComputed = omitted.length ? ['', 'Not computed:', ...omitted] : [];
  return [table(['METRIC', 'TRAIN', r.test ? 'TEST' : ''], rows), ...notComputed, ...rule].join('\n');
}

interface MetricsFlags {
  features?: string;
  run?: string;
  checkpoints: string;
  keys?: string;
  k?: string;
  layers?: string;
  seed?: string;
  list?: boolean;
  collapseTopK?: string;
}

/** `plateau metrics --features DUMP`: the closed-form metrics of a feature dump (METRICS.md format). */
export function metricsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('metrics')
    .description("compute METRICS.md metrics of a feature dump (.npz or .safetensors), or of a run's checkpoints")
    .option(
      '--features <dump>',
      'feature dump (features, labels, weight, optional bias, test_*), or an LM dump set (folder or manifest.json): every key per evaluation set',
    )
    .option('--run <id>', "a run's checkpoints instead: computes the metrics there, then prints them")
    .option('--checkpoints <which>', "with --run: 'all', 'last' or steps like 100,1000", 'all')
    .option('--keys <k1,k2>', 'only these metric keys (default: every closed-form key; --list shows all)')
    .option('--k <n>', 'with --run: how many eigenvalues hessian_top_eigs finds (default 5)')
    .option('--layers <w1,w2>', 'with --run: the weights kappa_layer is computed for (default the last layer)')
    .option('--seed <n>', 'with --run: seed of the iterative (HVP) measures (default 0)')
    .option('--collapse-top-k <n>', 'collapse keys use the K most frequent classes when more are present (default 1024)')
    .option('--list', 'list every registered metric: key, family, producer, splits, how it is stored')
    .action(async (o: MetricsFlags) => {
      if (o.list) return withClient(globals(), async (client) => listMetrics(globals(), await client.metrics.keys({})));
      const keys = o.keys
        ?.split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      if (o.run) return runMetrics(globals(), Number(o.run), o.checkpoints, keys, jobOptions(o));
      if (!o.features) throw invalid('Name a feature dump with --features DUMP (.npz or .safetensors), or a run with --run ID.');
      if (dumpSetManifestPath(o.features)) return dumpSetMetrics(globals(), o.features, keys, jobOptions(o).collapse_top_k);
      if (existsSync(o.features) && statSync(o.features).isDirectory())
        throw invalid(
          `${o.features} is a folder without a dump set's manifest.json (export_features.py lm writes one); name a feature dump file or a dump set.`,
        );
      const dump = await readFeatureDump(o.features);
      const result = computeDumpMetrics(dump, keys, { collapseTopK: jobOptions(o).collapse_top_k });
      emit(globals(), result, () => humanTable(result));
    });
}

function jobOptions(o: { k?: string; layers?: string; seed?: string; collapseTopK?: string }): MetricJobOptions {
  const int = (flag: string, v: string | undefined, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw invalid(`--${flag} must be an integer >= ${min} (got '${v}').`);
    return n;
  };
  const layers = o.layers
    ?.split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const out: MetricJobOptions = {
    k: int('k', o.k, 1),
    seed: int('seed', o.seed, 0),
    layers: layers?.length ? layers : undefined,
    collapse_top_k: int('collapse-top-k', o.collapseTopK, 2),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

function listMetrics(g: GlobalOptions, all: MetricDescriptor[]) {
  emit(g, all, () =>
    table(
      ['KEY', 'FAMILY', 'PRODUCER', 'SPLITS', 'STORED', 'COMPUTED'],
      all.map((d) => [
        d.key,
        d.family,
        d.producer,
        d.splits.join(','),
        d.parts === 'model' ? 'per step' : `per step, ${d.parts}`,
        d.run === 'default' ? 'by default' : d.run === 'hessian' ? 'with the Hessian option' : 'when named in --keys',
      ]),
    ),
  );
}

/** The label of a stored series: its key, with the layer or index it describes. */
const partLabel = (key: string, layer: string) => (layer ? `${key}[${layer}]` : key);

/** `--run ID`: queue a metrics job over the chosen checkpoints, wait for it, print the values per checkpoint. */
async function runMetrics(g: GlobalOptions, runId: number, which: string, keys: string[] | undefined, options: MetricJobOptions) {
  const checkpoints = which === 'all' || which === 'last' ? which : which.split(',').map((s) => Number(s.trim()));
  if (Array.isArray(checkpoints) && checkpoints.some((n) => !Number.isInteger(n) || n < 0))
    throw invalid(`--checkpoints must be 'all', 'last' or steps such as 100,1000 (got '${which}').`);
  await withClient(g, async (client, app) => {
    const wanted = resolveJobKeys(keys); // inside: plugins are loaded by now
    const job = await client.metrics.compute({ runId, checkpoints, keys, options });
    await app.ctx.jobs.idle();
    const done = (await client.jobs.list({})).find((j) => j.id === job.id)!;
    if (done.state !== 'succeeded') throw invalid(`The metrics job ${done.state}: ${done.error ?? 'no reason given'}`);
    const steps = new Set(
      (await client.runs.checkpoints({ id: runId }))
        .filter((c) => checkpoints === 'all' || (checkpoints === 'last' ? true : checkpoints.includes(c.step)))
        .map((c) => c.step),
    );
    const series = await client.metrics.series({ runIds: [runId], keys: wanted });
    const byStep = new Map<number, Record<string, Record<string, number>>>();
    const labels: string[] = [];
    for (const key of wanted) {
      // per-layer / per-index keys print each part; weights-only ones the last layer's ('') row alone
      const perPart = ['each', 'index'].includes(metricInfo(key)!.parts);
      const parted = series.filter((s) => s.key === key && (perPart || s.layer === ''));
      parted.sort((a, b) => a.layer.localeCompare(b.layer, 'en', { numeric: true }));
      for (const s of parted) {
        const label = partLabel(key, s.layer);
        if (!labels.includes(label)) labels.push(label);
        s.steps.forEach((step, i) => {
          if (!steps.has(step)) return;
          const at = byStep.get(step) ?? {};
          (at[s.split] ??= {})[label] = s.values[i];
          byStep.set(step, at);
        });
      }
    }
    const ordered = [...byStep].sort((a, b) => a[0] - b[0]);
    const rows = which === 'last' ? ordered.slice(-1) : ordered;
    emit(g, { run_id: runId, checkpoints: rows.map(([step, v]) => ({ step, ...v })) }, () =>
      rows
        .map(
          ([step, v]) =>
            `step ${step}\n${table(
              ['METRIC', 'TRAIN', 'TEST', ''],
              labels
                .filter((k) => v.train?.[k] !== undefined || v.test?.[k] !== undefined || v.none?.[k] !== undefined)
                .map((k) => [k, fmt(v.train?.[k]), fmt(v.test?.[k]), fmt(v.none?.[k])]),
            )}`,
        )
        .join('\n\n'),
    );
  });
}
