// Per-layer weights-only metrics of a run, shaped for the layer x checkpoint heatmap and the per-kind
// series: rows are tensors (the `layer` of each metric row), ordered embeddings, blocks by index and kind,
// head; names come from the shared layer-name classifier, so GPT-2, GPT-NeoX and LLaMA read alike.
import { classifyLayer, compareLayers, LAYER_KINDS, layerLabel, type LayerKind } from '../../../../shared/domain/layer-names';
import type { MetricSeries } from '../../../../shared/domain/types';
import type { Series } from '../../charts/line-option';

/** The per-layer series of one key (weights-only rows are filed on split 'none' under the tensor's name). */
const perLayer = (series: readonly MetricSeries[], key: string) =>
  series.filter((s) => s.key === key && s.split === 'none' && s.layer !== '');

export interface LayerGrid {
  /** Tensor names, top to bottom. */
  layers: string[];
  /** Their short labels (`3.qkv`, `embed`, an unknown tensor's own name). */
  labels: string[];
  /** Checkpoint steps, left to right. */
  steps: number[];
  /** [step index, layer index, value]; a tensor not measured at a step has no cell. */
  cells: [number, number, number][];
}

/** The layer x checkpoint grid of `key`. */
export function layerGrid(series: readonly MetricSeries[], key: string): LayerGrid {
  const rows = perLayer(series, key);
  const layers = [...new Set(rows.map((s) => s.layer))].sort(compareLayers);
  const steps = [...new Set(rows.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const col = new Map(steps.map((s, i) => [s, i]));
  const row = new Map(layers.map((l, i) => [l, i]));
  const cells: [number, number, number][] = [];
  for (const s of rows)
    s.steps.forEach((step, i) => Number.isFinite(s.values[i]) && cells.push([col.get(step)!, row.get(s.layer)!, s.values[i]]));
  return { layers, labels: layers.map(layerLabel), steps, cells };
}

/** The kinds present among the measured tensors of `key`, in block order. */
export function kindsPresent(series: readonly MetricSeries[], key: string): LayerKind[] {
  const kinds = new Set(perLayer(series, key).map((s) => classifyLayer(s.layer).kind));
  return LAYER_KINDS.filter((k) => kinds.has(k));
}

/**
 * Lines over checkpoints: with `kind` 'mean', one per kind (its mean over the layers of that kind at each
 * step); with a kind, one per tensor of that kind (labelled by layer index).
 */
export function kindSeries(series: readonly MetricSeries[], key: string, kind: LayerKind | 'mean'): Series[] {
  const rows = perLayer(series, key);
  if (kind !== 'mean') {
    return rows
      .filter((s) => classifyLayer(s.layer).kind === kind)
      .sort((a, b) => compareLayers(a.layer, b.layer))
      .map((s) => ({ name: layerLabel(s.layer), x: s.steps, y: s.values }));
  }
  const out: Series[] = [];
  for (const k of kindsPresent(series, key)) {
    const sums = new Map<number, [number, number]>();
    for (const s of rows.filter((r) => classifyLayer(r.layer).kind === k)) {
      s.steps.forEach((step, i) => {
        if (!Number.isFinite(s.values[i])) return;
        const [sum, n] = sums.get(step) ?? [0, 0];
        sums.set(step, [sum + s.values[i], n + 1]);
      });
    }
    const steps = [...sums.keys()].sort((a, b) => a - b);
    out.push({ name: `${k} (mean)`, x: steps, y: steps.map((st) => sums.get(st)![0] / sums.get(st)![1]) });
  }
  return out;
}
