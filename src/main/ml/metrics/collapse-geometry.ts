import { symmetricEigen } from './linalg';
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
 * PCA of the centred class means through their C x C Gram (never an m x m matrix): with
 * M~ = U S V^T, the coordinates on the top two right singular vectors are U S = u_k * sqrt(lambda_k).
 */
export function classMeanGeometry(split: FeatureSplit, numClasses: number): ClassGeometry {
  const { n, m, features, labels } = split;
  const sums = new Float64Array(numClasses * m);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    for (let j = 0; j < m; j++) sums[c * m + j] += features[i * m + j];
  }
  const classes = [...counts.keys()].filter((c) => counts[c] > 0);
  const C = classes.length;
  const global = new Float64Array(m);
  const centred = classes.map((c) => Float64Array.from({ length: m }, (_, j) => sums[c * m + j] / counts[c]));
  for (const mu of centred) for (let j = 0; j < m; j++) global[j] += mu[j] / C;
  for (const mu of centred) for (let j = 0; j < m; j++) mu[j] -= global[j];
  const gram = new Float64Array(C * C);
  for (let a = 0; a < C; a++) {
    for (let b = a; b < C; b++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += centred[a][j] * centred[b][j];
      gram[a * C + b] = gram[b * C + a] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, C);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const scale = [0, 1].map((k) => (k < C ? Math.sqrt(Math.max(0, values[k])) : 0));
  const points = classes.map((_, a) => [0, 1].map((k) => (k < C ? vectors[k * C + a] * scale[k] : 0)) as [number, number]);
  return { classes, points, explained: total > 0 ? (Math.max(0, values[0]) + (C > 1 ? Math.max(0, values[1]) : 0)) / total : 0 };
}
