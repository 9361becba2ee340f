// Weights-only measures (METRICS.md "Weights only") of a checkpoint's matrices, as metric rows filed
// under each tensor's name (the `layer` column): what the import measures as it streams a checkpoint
// in, and what the metrics job measures again from a stored checkpoint, one tensor at a time.
import type { MetricRow } from '../../shared/jobs/messages';
import { classifyLayer } from '../../shared/domain/layer-names';
import { WEIGHT_KEYS, weightMetrics } from '../ml/metrics/weights';
import { countNonFinite, type NumericArray } from './ndarray';
import { openSafetensorsFile } from './safetensors-file';

type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/**
 * Past this smaller side, the eigen-decomposition behind spectral_norm, stable_rank and ww_alpha is too
 * slow for an import in JS, so those keys are left to the metrics job (which takes SPECTRUM_MAX_JOB).
 */
export const SPECTRUM_MAX_IMPORT = 1024;
/** The metrics job's limit: a 2048-wide Gram is seconds in JS, and a LAPACK route makes larger ones cheap. */
export const SPECTRUM_MAX_JOB = 2048;
const SPECTRAL = new Set(['spectral_norm', 'stable_rank', 'ww_alpha']);

/**
 * Weights-only measures of every matrix-shaped tensor: 2-D weights as they are, convolution kernels
 * (4-D, out x in x kh x kw) reshaped to out x (in*kh*kw). Norm layers' scales are vectors and never measured.
 */
export function weightRows(
  weights: Weights,
  step: number,
  init?: Weights,
  options: { maxSpectrum?: number; keys?: readonly string[] } = {},
): MetricRow[] {
  const { maxSpectrum = SPECTRUM_MAX_IMPORT, keys: asked = WEIGHT_KEYS } = options;
  const rows: MetricRow[] = [];
  for (const [name, t] of Object.entries(weights)) {
    if (t.shape.length < 2 || t.shape.length > 4 || t.shape.length === 3) continue;
    // NaN or Inf would turn every measure into NaN (or a wrong number): such tensors are flagged, not measured.
    if (countNonFinite(t.data)) continue;
    // An empty matrix (shape [0, 3], which torch saves happily) has no norm or spectrum to measure.
    if (t.data.length === 0) continue;
    const rowsN = t.shape[0];
    const cols = t.data.length / rowsN;
    const small = Math.min(rowsN, cols) <= maxSpectrum;
    const keys = new Set(asked.filter((k) => small || !SPECTRAL.has(k)));
    const w0 = init?.[name]?.shape.join() === t.shape.join() ? init[name].data : null;
    const bag = weightMetrics(t.data, rowsN, cols, { init: w0, keys });
    for (const [key, value] of Object.entries(bag.values))
      rows.push({ step, epoch: null, split: 'none', key, value, layer: name, checkpointStep: step });
  }
  return rows;
}

const f32 = (a: NumericArray) => (a instanceof Float32Array ? a : Float32Array.from(a));

/**
 * The weights-only rows of a stored checkpoint, reading one tensor at a time (and its counterpart in
 * `initPath`, the series' first checkpoint, for dist_from_init): memory stays near two tensors.
 */
export async function storedWeightRows(
  path: string,
  step: number,
  initPath: string | undefined,
  options: { maxSpectrum?: number; keys?: readonly string[] } = {},
): Promise<MetricRow[]> {
  const st = await openSafetensorsFile(path);
  const init = initPath && initPath !== path ? await openSafetensorsFile(initPath) : null;
  const initShapes = new Map(init?.entries.map((e) => [e.name, e.shape.join()]));
  const rows: MetricRow[] = [];
  for (const e of st.entries) {
    const matrix = e.shape.length === 2 || e.shape.length === 4;
    if (!matrix || e.name.startsWith('optimizer/') || classifyLayer(e.name).kind === 'norm') continue;
    if (!['f4', 'f8', 'f2', 'bf16'].includes(e.dtype)) continue;
    const data = f32(await st.read(e.name));
    const w0 = initPath === path ? data : init && initShapes.get(e.name) === e.shape.join() ? f32(await init.read(e.name)) : null;
    const w = { [e.name]: { shape: e.shape, data } };
    rows.push(...weightRows(w, step, w0 && !countNonFinite(w0) ? { [e.name]: { shape: e.shape, data: w0 } } : undefined, options));
  }
  return rows;
}
