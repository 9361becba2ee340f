import type { MetricJobOptions } from '../../../shared/api/contract';
import { metricKeysWhere } from '../../../shared/domain/metrics';
import type { MetricRow } from '../../../shared/jobs/messages';
import type { Model } from '../models/model';
import { modelHessianMetrics, type HessianMetricKey } from './model-metrics';
import type { SplitInput } from './operator';

/** What a metrics job with the Hessian option computes when it names no keys. */
export const DEFAULT_HESSIAN_KEYS: readonly string[] = metricKeysWhere((d) => d.producer === 'hessian' && d.run === 'hessian');

const SPECTRAL: readonly HessianMetricKey[] = ['hessian_top_eig', 'hessian_top_eigs', 'hessian_trace_hutch', 'hessian_esd'];

/**
 * The Hessian measures of one checkpoint on the training split, as database rows whose details record
 * how each was computed (seed, HVP count, convergence) and, for the ESD, the density.
 * `hessian_top_eigs` is stored one row per index (layer '1'..'k'); `kappa_layer` one row per layer
 * (layer = the weight's name; `options.layers`, default the last layer).
 */
export function hessianMetricRows(
  model: Model,
  train: SplitInput,
  at: { step: number; epoch: number | null },
  keys: ReadonlySet<string> = new Set(DEFAULT_HESSIAN_KEYS),
  options: MetricJobOptions = {},
): MetricRow[] {
  const seed = options.seed ?? 0;
  const rows: MetricRow[] = [];
  const row = (key: string, value: number, details: Record<string, unknown>, layer = ''): MetricRow => ({
    step: at.step,
    epoch: at.epoch,
    split: 'train',
    key,
    value,
    layer,
    checkpointStep: at.step,
    details,
  });
  const spectral = SPECTRAL.filter((k) => keys.has(k));
  if (spectral.length) {
    const r = modelHessianMetrics(model, train, spectral, { seed, k: options.k });
    const dim = r.params.dim;
    if (r.hessian_top_eig) {
      const { value, ...d } = r.hessian_top_eig;
      rows.push(row('hessian_top_eig', value, { ...d, dim }));
    }
    if (r.hessian_top_eigs) {
      const { values, ...d } = r.hessian_top_eigs;
      values.forEach((v, i) => rows.push(row('hessian_top_eigs', v, { ...d, index: i + 1, k: values.length, dim }, String(i + 1))));
    }
    if (r.hessian_trace_hutch) {
      const { value, ...d } = r.hessian_trace_hutch;
      rows.push(row('hessian_trace_hutch', value, { ...d, dim }));
    }
    if (r.hessian_esd) {
      // The value is the largest Ritz node (plottable over steps); the density lives in details.
      rows.push(row('hessian_esd', Math.max(...r.hessian_esd.nodes), { ...r.hessian_esd, dim }));
    }
  }
  if (keys.has('kappa_layer')) {
    for (const layer of options.layers ?? [undefined]) {
      const r = modelHessianMetrics(model, train, ['kappa_layer'], { seed, layer }).kappa_layer!;
      const { value, layer: name, ...d } = r;
      rows.push(row('kappa_layer', value, d, name));
    }
  }
  return rows.filter((x) => Number.isFinite(x.value));
}
