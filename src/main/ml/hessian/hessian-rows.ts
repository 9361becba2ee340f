import type { MetricRow } from '../../../shared/jobs/messages';
import type { Model } from '../models/model';
import { modelHessianMetrics } from './model-metrics';
import type { SplitInput } from './operator';

/**
 * The full-loss Hessian measures of one checkpoint on the training split, as database rows whose
 * details record how each was computed (seed, HVP count, convergence) and, for the ESD, the density.
 */
export function hessianMetricRows(model: Model, train: SplitInput, at: { step: number; epoch: number | null }, seed = 0): MetricRow[] {
  const r = modelHessianMetrics(model, train, ['hessian_top_eig', 'hessian_trace_hutch', 'hessian_esd'], { seed });
  const row = (key: string, value: number, details: Record<string, unknown>): MetricRow =>
    ({ step: at.step, epoch: at.epoch, split: 'train', key, value, checkpointStep: at.step, details: { ...details, dim: r.params.dim } });
  const rows: MetricRow[] = [];
  if (r.hessian_top_eig) {
    const { value, ...d } = r.hessian_top_eig;
    rows.push(row('hessian_top_eig', value, d));
  }
  if (r.hessian_trace_hutch) {
    const { value, ...d } = r.hessian_trace_hutch;
    rows.push(row('hessian_trace_hutch', value, d));
  }
  if (r.hessian_esd) {
    // The value is the largest Ritz node (plottable over steps); the density lives in details.
    rows.push(row('hessian_esd', Math.max(...r.hessian_esd.nodes), { ...r.hessian_esd }));
  }
  return rows.filter((x) => Number.isFinite(x.value));
}
