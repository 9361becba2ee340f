/** Per-tensor summaries and differences for the checkpoint browser (float64 accumulation). */
import type { LayerDiff, LayerSummary } from '../../shared/domain/types';

export interface TensorLike {
  shape: number[];
  data: ArrayLike<number>;
}

export function summarize(name: string, t: TensorLike, bins = 40): LayerSummary {
  const n = t.data.length;
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = t.data[i];
    sum += v;
    sq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : 0;
  const counts = new Array<number>(bins).fill(0);
  const width = max > min ? (max - min) / bins : 1;
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((t.data[i] - min) / width))]++;
  return {
    name,
    shape: t.shape,
    size: n,
    mean,
    std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0,
    min: n ? min : 0,
    max: n ? max : 0,
    froNorm: Math.sqrt(sq),
    histogram: {
      edges: Array.from({ length: bins + 1 }, (_, i) => (n ? min + i * width : 0)),
      counts: n ? counts : new Array<number>(bins).fill(0),
    },
  };
}

/** Layers present in both with equal shapes are compared; the rest are listed as unmatched. */
export function diffTensors(a: Record<string, TensorLike>, b: Record<string, TensorLike>): { layers: LayerDiff[]; unmatched: string[] } {
  const layers: LayerDiff[] = [];
  const unmatched: string[] = [];
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[name];
    const y = b[name];
    if (!x || !y || x.shape.join('x') !== y.shape.join('x')) {
      unmatched.push(name);
      continue;
    }
    let d2 = 0,
      xx = 0,
      yy = 0,
      xy = 0;
    for (let i = 0; i < x.data.length; i++) {
      const u = x.data[i],
        v = y.data[i];
      d2 += (u - v) ** 2;
      xx += u * u;
      yy += v * v;
      xy += u * v;
    }
    const distance = Math.sqrt(d2);
    layers.push({
      name,
      shape: x.shape,
      distance,
      relative: xx > 0 ? distance / Math.sqrt(xx) : 0,
      cosine: xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : null,
    });
  }
  return { layers, unmatched: unmatched.sort() };
}
