import { invalid } from '../../../shared/api/errors';
import { keysOfProducer } from '../../../shared/domain/metrics';
import type { Model } from '../models/model';
import { layerKappa } from './kappa';
import { datasetHessian, DEFAULT_BATCH_SIZE, selectParams, transposed, transposedOperator, type SplitInput } from './operator';

import { hessianEsd } from './slq';
import { hessianTopEig, hessianTopEigs, hessianTraceHutchinson, type RunInfo } from './spectral';

/** The keys this module computes: Exclude<keyof HessianMetrics, 'params'>. */
export type HessianMetricKey = 'hessian_top_eig' | 'hessian_top_eigs' | 'hessian_trace_hutch' | 'hessian_esd' | 'kappa_layer';
/** The registry's Hessian-produced keys (the registry test checks they are exactly HessianMetricKey). */
export const HESSIAN_METRIC_KEYS = keysOfProducer('hessian') as readonly HessianMetricKey[];

export interface HessianMetricOptions {
  seed: number;
  /**
   * Parameter subset: a weight name (`layers.1.weight`) or a prefix (`layers.1` = weight + bias).
   * Spectral keys use all weights when absent; `kappa_layer` uses this layer's 2-D weight, or the
   * last layer's when absent.
   */
  layer?: string;
  /** Number of eigenvalues for `hessian_top_eigs` (default 5, capped at the dimension). */
  k?: number;
  /** Samples per HVP graph; HVPs of the batches are summed (default 1000). */
  batchSize?: number;
  /** Stopping rule overrides (METRICS.md defaults: 1e-3, 100). */
  tol?: number;
  maxIter?: number;
  /** SLQ: Lanczos steps (default 30) and random starts (default 1). */
  esdSteps?: number;
  esdRuns?: number;
}

type Run = RunInfo & { seconds: number };

/** Plain numbers and arrays only (it crosses worker/IPC boundaries). */
export interface HessianMetrics {
  hessian_top_eig?: Run & { value: number };
  hessian_top_eigs?: Run & { values: number[] };
  hessian_trace_hutch?: Run & { value: number; stderr: number };
  hessian_esd?: Run & { grid: number[]; density: number[]; nodes: number[]; weights: number[]; sigma: number; steps: number; runs: number };
  kappa_layer?: Run & { value: number; layer: string; exact: boolean; stderr?: number };
  /** What the spectral keys were computed over. */
  params: { names: string[]; dim: number };
}

const DEFAULT_K = 5;

function elapsed(t0: number): number {
  return Number(((performance.now() - t0) / 1000).toFixed(3));
}

/** Name of the 2-D weight `kappa_layer` uses (see HessianMetricOptions.layer). */
export function kappaWeightName(model: Model, layer?: string): string {
  const named = model.namedWeights();
  if (layer === undefined) {
    const last = model.lastLayer().weight;
    const found = Object.keys(named).find((n) => named[n] === last);
    if (!found) throw invalid('the model does not list its last layer among its named weights');
    return found;
  }
  const name = named[layer] ? layer : named[`${layer}.weight`] ? `${layer}.weight` : null;
  if (!name) throw invalid(`kappa_layer: no weight '${layer}' or '${layer}.weight'`, { field: 'layer', value: layer });
  if (named[name].rank !== 2)
    throw invalid(`kappa_layer: '${name}' is not a 2-D weight (shape ${named[name].shape.join('x')})`, { field: 'layer', value: layer });
  return name;
}

/**
 * Hessian metrics of the mean softmax cross-entropy of `model` on `split` (METRICS.md, "Hessian of
 * the full loss" and layer kappa). Every result records its seed, HVP count and convergence.
 */
export function modelHessianMetrics(
  model: Model,
  split: SplitInput,
  keys: readonly HessianMetricKey[],
  opts: HessianMetricOptions,
): HessianMetrics {
  for (const key of keys) {
    if (!HESSIAN_METRIC_KEYS.includes(key))
      throw invalid(`unknown Hessian metric '${key}'; known: ${HESSIAN_METRIC_KEYS.join(', ')}`, { key });
  }
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const iter = { seed: opts.seed, tol: opts.tol, maxIter: opts.maxIter };
  const { names, params } = selectParams(model, opts.layer);
  const out: HessianMetrics = { params: { names, dim: params.reduce((s, p) => s + p.size, 0) } };
  const wanted = new Set(keys);
  const spectral =
    wanted.has('hessian_top_eig') || wanted.has('hessian_top_eigs') || wanted.has('hessian_trace_hutch') || wanted.has('hessian_esd');
  if (spectral) {
    const op = datasetHessian(model, split, names, params, batchSize);
    try {
      if (wanted.has('hessian_top_eig')) {
        const t0 = performance.now();
        const r = hessianTopEig(op, iter);
        out.hessian_top_eig = { value: r.value, seed: r.seed, iterations: r.iterations, converged: r.converged, seconds: elapsed(t0) };
      }
      if (wanted.has('hessian_top_eigs')) {
        // Deflated power iterations: the k eigenvalues of largest magnitude (PyHessian's convention).
        const t0 = performance.now();
        const r = hessianTopEigs(op, Math.min(opts.k ?? DEFAULT_K, op.dim), iter);
        out.hessian_top_eigs = { values: r.values, seed: r.seed, iterations: r.iterations, converged: r.converged, seconds: elapsed(t0) };
      }
      if (wanted.has('hessian_trace_hutch')) {
        const t0 = performance.now();
        const r = hessianTraceHutchinson(op, iter);
        out.hessian_trace_hutch = {
          value: r.value,
          stderr: r.stderr,
          seed: r.seed,
          iterations: r.iterations,
          converged: r.converged,
          seconds: elapsed(t0),
        };
      }
      if (wanted.has('hessian_esd')) {
        const t0 = performance.now();
        const r = hessianEsd(op, { seed: opts.seed, steps: opts.esdSteps, runs: opts.esdRuns });
        const { grid, density, nodes, weights, sigma, steps, runs, seed, iterations, converged } = r;
        out.hessian_esd = { grid, density, nodes, weights, sigma, steps, runs, seed, iterations, converged, seconds: elapsed(t0) };
      }
    } finally {
      op.dispose();
    }
  }
  if (wanted.has('kappa_layer')) {
    const t0 = performance.now();
    const name = kappaWeightName(model, opts.layer);
    const w = model.namedWeights()[name];
    const op = datasetHessian(model, split, [name], [w], batchSize);
    try {
      const [rows, cols] = w.shape as [number, number];
      // an in x out weight's neurons are its columns: measure W^T in the Hessian's transposed coordinates
      const r = model.inputMajor?.has(name)
        ? layerKappa(transposedOperator(op, rows, cols), { data: transposed(w.dataSync(), rows, cols), rows: cols, cols: rows }, iter)
        : layerKappa(op, { data: w.dataSync(), rows, cols }, iter);
      out.kappa_layer = {
        value: r.value,
        layer: name,
        exact: r.exact,
        seed: r.seed,
        iterations: r.iterations,
        converged: r.converged,
        seconds: elapsed(t0),
      };
      if (r.stderr !== undefined) out.kappa_layer.stderr = r.stderr;
    } finally {
      op.dispose();
    }
  }
  return out;
}
