import { collapseClasses, DEFAULT_COLLAPSE_TOP_K } from './collapse-classes';
import { colGram, rowGram, symmetricEigen } from './linalg';
import type { FeatureSplit } from './types';

/** Class means in the plane of their two principal directions: the picture behind NC2 (a simplex ETF when collapsed). */
export interface ClassGeometry {
  classes: number[];
  /** One [x, y] per class present, in the order of `classes`. */
  points: [number, number][];
  /** Fraction of the centred means' spread the two directions hold. */
  explained: number;
}

/**
 * PCA of the centred class means of the collapse classes (every class present, the `topK` most frequent
 * when more are present), through the smaller of the C x C Gram and the m x m scatter of the means:
 * with M~ = U S V^T the coordinates are U S = u_k sqrt(lambda_k) = M~ v_k.
 */
export function classMeanGeometry(split: FeatureSplit, numClasses: number, topK = DEFAULT_COLLAPSE_TOP_K): ClassGeometry {
  const { n, m, features, labels } = split;
  const { slot, classes: kept, counts } = collapseClasses(labels, n, numClasses, topK);
  const C = kept.length;
  const centred = new Float64Array(C * m);
  for (let i = 0; i < n; i++) {
    const a = slot[labels[i]];
    if (a >= 0) for (let j = 0; j < m; j++) centred[a * m + j] += features[i * m + j];
  }
  const global = new Float64Array(m);
  kept.forEach((c, a) => {
    for (let j = 0; j < m; j++) global[j] += (centred[a * m + j] /= counts[c]) / C;
  });
  for (let a = 0; a < C; a++) for (let j = 0; j < m; j++) centred[a * m + j] -= global[j];
  const classes = Array.from(kept);
  const byMeans = C <= m;
  const dim = byMeans ? C : m;
  const { values, vectors } = symmetricEigen(byMeans ? rowGram(centred, C, m) : colGram(centred, C, m), dim);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const coord = (k: number, a: number): number => {
    if (k >= dim) return 0;
    if (byMeans) return vectors[k * C + a] * Math.sqrt(Math.max(0, values[k]));
    let s = 0;
    for (let j = 0; j < m; j++) s += centred[a * m + j] * vectors[k * m + j];
    return s;
  };
  const points = classes.map((_, a) => [coord(0, a), coord(1, a)] as [number, number]);
  return { classes, points, explained: total > 0 ? (Math.max(0, values[0]) + (dim > 1 ? Math.max(0, values[1]) : 0)) / total : 0 };
}
