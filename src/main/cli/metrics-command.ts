import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import { readFeatureDump } from '../io/feature-dump';
import { computeDumpMetrics, type DumpMetrics } from '../ml/metrics';
import { METRIC_KEYS } from '../../shared/domain/metric-keys';
import { emit, table, type GlobalOptions } from './output';
import { withClient } from './session';

const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(6) : v.toExponential(5)) : '');

function humanTable(r: DumpMetrics): string {
  const keys = Object.keys(r).filter((k) => typeof r[k] === 'number');
  const rows = keys.map((k) => [k, fmt(r[k]), fmt(r.test?.[k])]);
  const omitted = Object.entries(r.omitted ?? {}).map(([k, why]) => `  ${k}: ${why}`);
  return [table(['METRIC', 'TRAIN', r.test ? 'TEST' : ''], rows), ...(omitted.length ? ['', 'Not computed:', ...omitted] : [])].join('\n');
}

/** `plateau metrics --features DUMP`: the closed-form metrics of a feature dump (METRICS.md format). */
export function metricsCommand(program: Command, globals: () => GlobalOptions): void {
  program.command('metrics').description('compute METRICS.md metrics of a feature dump (.npz or .safetensors)')
    .option('--features <dump>', 'feature dump: features, labels, weight, optional bias, test_features, test_labels')
    .option('--run <id>', "a run's checkpoints instead: computes the metrics there, then prints them")
    .option('--checkpoints <which>', "with --run: 'all', 'last' or steps like 100,1000", 'all')
    .option('--keys <k1,k2>', 'only these metric keys (default: every closed-form key)')
    .action(async (o: { features?: string; run?: string; checkpoints: string; keys?: string }) => {
      const keys = o.keys?.split(',').map((k) => k.trim()).filter(Boolean);
      if (o.run) return runMetrics(globals(), Number(o.run), o.checkpoints, keys);
      if (!o.features) throw invalid('Name a feature dump with --features DUMP (.npz or .safetensors), or a run with --run ID.');
      const dump = await readFeatureDump(o.features);
      const result = computeDumpMetrics(dump, keys);
      emit(globals(), result, () => humanTable(result));
    });
}

/** `--run ID`: queue a metrics job over the chosen checkpoints, wait for it, print the values per checkpoint. */
async function runMetrics(g: GlobalOptions, runId: number, which: string, keys?: string[]) {
  const checkpoints = which === 'all' || which === 'last' ? which : which.split(',').map((s) => Number(s.trim()));
  if (Array.isArray(checkpoints) && checkpoints.some((n) => !Number.isInteger(n) || n < 0)) throw invalid(`--checkpoints must be 'all', 'last' or steps such as 100,1000 (got '${which}').`);
  const wanted = keys ?? METRIC_KEYS.filter((k) => k.family !== 'hessian').map((k) => k.key);
  const hessian = wanted.some((k) => k.startsWith('hessian_'));
  await withClient(g, async (client, app) => {
    const job = await client.metrics.compute({ runId, checkpoints, hessian });
    await app.ctx.jobs.idle();
    const done = (await client.jobs.list({})).find((j) => j.id === job.id)!;
    if (done.state !== 'succeeded') throw invalid(`The metrics job ${done.state}: ${done.error ?? 'no reason given'}`);
    const steps = new Set((await client.runs.checkpoints({ id: runId })).filter((c) => checkpoints === 'all' || (checkpoints === 'last' ? true : checkpoints.includes(c.step))).map((c) => c.step));
    const series = await client.metrics.series({ runIds: [runId], keys: wanted });
    const byStep = new Map<number, Record<string, Record<string, number>>>();
    for (const s of series) {
      if (s.layer) continue;
      s.steps.forEach((step, i) => {
        if (!steps.has(step)) return;
        const at = byStep.get(step) ?? {};
        (at[s.split] ??= {})[s.key] = s.values[i];
        byStep.set(step, at);
      });
    }
    const ordered = [...byStep].sort((a, b) => a[0] - b[0]);
    const rows = which === 'last' ? ordered.slice(-1) : ordered;
    emit(g, { run_id: runId, checkpoints: rows.map(([step, v]) => ({ step, ...v })) }, () =>
      rows.map(([step, v]) => `step ${step}\n${table(['METRIC', 'TRAIN', 'TEST', ''], wanted.filter((k) => v.train?.[k] !== undefined || v.test?.[k] !== undefined || v.none?.[k] !== undefined)
        .map((k) => [k, fmt(v.train?.[k]), fmt(v.test?.[k]), fmt(v.none?.[k])]))}`).join('\n\n'));
  });
}
