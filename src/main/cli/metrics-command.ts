import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import { readFeatureDump } from '../io/feature-dump';
import { computeDumpMetrics, type DumpMetrics } from '../ml/metrics';
import { emit, table, type GlobalOptions } from './output';

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
    .option('--keys <k1,k2>', 'only these metric keys (default: every closed-form key)')
    .action(async (o: { features?: string; keys?: string }) => {
      if (!o.features) throw invalid('Name a feature dump with --features DUMP (.npz or .safetensors).');
      const keys = o.keys?.split(',').map((k) => k.trim()).filter(Boolean);
      const dump = await readFeatureDump(o.features);
      const result = computeDumpMetrics(dump, keys);
      emit(globals(), result, () => humanTable(result));
    });
}
