import { metricsLapack } from '../lapack';
import { colGram, meanStd, quadraticForms, rowGram, symmetricEigen } from './linalg';
import type { FirstPass } from './feature-scan';
import type { SecondPass } from './second-pass';
import { put, type LastLayer, type MetricBag } from './types';

/** Eigenvalues of Sigma_B at or below this fraction of the largest are dropped from the pseudo-inverse. */
export const NC1_RELATIVE_CUTOFF = 1e-10;

/** Class geometry of the collapse classes (METRICS.md: present classes, the top K of them when more are present). */
export interface ClassGeometry {
  slot: Int32Array;
  classes: Int32Array;
  means: Float64Array;
  centred: Float64Array;
  /** Gram of the centred means, Cp x Cp */
  centredGram: Float64Array;
  meanDist: Float64Array;
}

export function classGeometry(first: FirstPass): ClassGeometry {
  const { m, cls, classSums } = first;
  const { classes, counts } = cls;
  const Cp = classes.length;
  const means = new Float64Array(Cp * m);
  const global = new Float64Array(m);
  classes.forEach((c, a) => {
    for (let j = 0; j < m; j++) {
      means[a * m + j] = classSums[a * m + j] / counts[c];
      global[j] += means[a * m + j] / Cp;
    }
  });
  const centred = new Float64Array(Cp * m);
  for (let a = 0; a < Cp; a++) for (let j = 0; j < m; j++) centred[a * m + j] = means[a * m + j] - global[j];
  const centredGram = rowGram(centred, Cp, m);
  const meanDist = new Float64Array(Cp * Cp);
  // ||mu_a - mu_b||^2 from the Gram of the centred means (as NumPy's reference does) on the BLAS route at
  // many classes, where Cp^2 m direct differences would dominate; centring keeps the cancellation small.
  const fromGram = Cp > 256 && metricsLapack() !== null;
  for (let a = 0; a < Cp; a++) {
    for (let b = a + 1; b < Cp; b++) {
      let s = 0;
      if (fromGram) s = Math.max(0, centredGram[a * Cp + a] + centredGram[b * Cp + b] - 2 * centredGram[a * Cp + b]);
      else for (let j = 0; j < m; j++) s += (means[a * m + j] - means[b * m + j]) ** 2;
      meanDist[a * Cp + b] = meanDist[b * Cp + a] = s;
    }
  }
  return { slot: cls.slot, classes, means, centred, centredGram, meanDist };
}

/**
 * nc1 through the Cp x Cp Gram K = M~ M~^T = U L U^T: Sigma_B = M~^T M~ / Cp has eigenvalues l_k / Cp
 * and eigenvectors v_k = M~^T u_k / sqrt(l_k), and v_k^T Sigma_W v_k = u_k^T S u_k / (n l_k) with S
 * the scatter of the projections e_i . (mu_a - mu_G). Hence nc1 = sum_k u_k^T S u_k / (n l_k^2) over
 * the top Cp-1 eigenpairs above the cut-off. No m x m matrix is formed.
 */
export function nc1FromGram(centredGram: Float64Array, projScatter: Float64Array, Cp: number, n: number): number | string {
  if (Cp < 2) return `needs at least 2 classes present in the split (found ${Cp})`;
  const { values, vectors } = symmetricEigen(centredGram, Cp);
  if (!(values[0] > 0)) return 'all class means coincide, so the between-class covariance is zero';
  let count = 0;
  while (count < Cp - 1 && values[count] > NC1_RELATIVE_CUTOFF * values[0]) count++;
  const q = quadraticForms(vectors, projScatter, count, Cp);
  let total = 0;
  for (let k = 0; k < count; k++) total += q[k] / (n * values[k] * values[k]);
  return total;
}

/**
 * nc1 in feature space, for m < Cp: with Mt^T Mt = V L V^T (m x m, the same non-zero eigenvalues as
 * the Gram), u_k = Mt v_k / sqrt(l_k) gives u_k^T S u_k = l_k v_k^T Sigma v_k, Sigma = sum_i e_i e_i^T;
 * so nc1 = sum_k v_k^T Sigma v_k / (n l_k) over the top min(Cp-1, m) eigenpairs above the cut-off.
 * The same sum as nc1FromGram, on the smaller of the two matrices; no inverse is formed.
 */
export function nc1FromFeatureScatter(centred: Float64Array, scatter: Float64Array, Cp: number, m: number, n: number): number | string {
  if (Cp < 2) return `needs at least 2 classes present in the split (found ${Cp})`;
  const { values, vectors } = symmetricEigen(colGram(centred, Cp, m), m);
  if (!(values[0] > 0)) return 'all class means coincide, so the between-class covariance is zero';
  let count = 0;
  while (count < Math.min(Cp - 1, m) && values[count] > NC1_RELATIVE_CUTOFF * values[0]) count++;
  const q = quadraticForms(vectors, scatter, count, m);
  let total = 0;
  for (let k = 0; k < count; k++) total += q[k] / (n * values[k]);
  return total;
}

/** Finalises the collapse family from the two passes. */
export function collapseFromPasses(
  first: FirstPass,
  geo: ClassGeometry,
  second: SecondPass,
  layer: LastLayer,
  wanted: ReadonlySet<string>,
): MetricBag {
  const bag: MetricBag = { values: {}, omitted: {} };
  const { m } = first;
  const n = first.cls.samples;
  const Cp = geo.classes.length;
  const few = `needs at least 2 classes present in the split (found ${Cp})`;
  const K = geo.centredGram;
  const norms = Array.from({ length: Cp }, (_, a) => Math.sqrt(K[a * Cp + a]));
  if (wanted.has('nc1')) {
    put(
      bag,
      'nc1',
      second.featureScatter.length
        ? nc1FromFeatureScatter(geo.centred, second.featureScatter, Cp, m, n)
        : nc1FromGram(K, second.projScatter, Cp, n),
    );
  }
  if (wanted.has('nc2_equinorm_means')) {
    const { mean, std } = meanStd(norms);
    put(bag, 'nc2_equinorm_means', Cp < 2 ? few : mean > 0 ? std / mean : 'all class means coincide');
  }
  if (wanted.has('nc2_equinorm_classifiers')) {
    // Rows of classes absent from the split are left out, like their means.
    const wNorms = Array.from(geo.classes, (c) => {
      let s = 0;
      for (let j = 0; j < m; j++) s += layer.weight[c * m + j] ** 2;
      return Math.sqrt(s);
    });
    const { mean, std } = meanStd(wNorms);
    put(bag, 'nc2_equinorm_classifiers', mean > 0 ? std / mean : 'all classifier rows are zero');
  }
  if (wanted.has('nc2_equiangular') || wanted.has('nc2_angle_std')) {
    const cosines: number[] = [];
    for (let a = 0; a < Cp; a++) for (let b = 0; b < Cp; b++) if (a !== b) cosines.push(K[a * Cp + b] / (norms[a] * norms[b]));
    const undefinedWhy =
      Cp < 2 ? few : norms.some((r) => r === 0) ? 'a class mean equals the global mean, so its angle is undefined' : null;
    if (wanted.has('nc2_equiangular')) {
      put(bag, 'nc2_equiangular', undefinedWhy ?? cosines.reduce((s, c) => s + Math.abs(c + 1 / (Cp - 1)), 0) / cosines.length);
    }
    if (wanted.has('nc2_angle_std')) put(bag, 'nc2_angle_std', undefinedWhy ?? meanStd(cosines).std);
  }
  if (wanted.has('nc3')) {
    let w2 = 0,
      m2 = 0;
    for (const c of geo.classes) for (let j = 0; j < m; j++) w2 += layer.weight[c * m + j] ** 2;
    for (let a = 0; a < Cp; a++) m2 += K[a * Cp + a];
    if (w2 === 0 || m2 === 0) put(bag, 'nc3', w2 === 0 ? 'the classifier rows are all zero' : 'all class means coincide');
    else {
      const wn = Math.sqrt(w2),
        mn = Math.sqrt(m2);
      let s = 0;
      geo.classes.forEach((c, a) => {
        for (let j = 0; j < m; j++) s += (layer.weight[c * m + j] / wn - geo.centred[a * m + j] / mn) ** 2;
      });
      put(bag, 'nc3', s);
    }
  }
  if (wanted.has('nc4')) put(bag, 'nc4', second.mismatches / n);
  if (wanted.has('cdnv')) put(bag, 'cdnv', cdnv(geo, second, first.cls.counts));
  if (wanted.has('gnc2')) put(bag, 'gnc2', gnc2(K, norms, Cp));
  if (wanted.has('duality_cos_mean') || wanted.has('duality_cos_std')) {
    const cos = dualityCosines(geo, layer, m, norms);
    for (const [key, v] of [
      ['duality_cos_mean', 'mean'],
      ['duality_cos_std', 'std'],
    ] as const) {
      if (wanted.has(key)) put(bag, key, typeof cos === 'string' ? cos : meanStd(cos)[v]);
    }
  }
  return bag;
}

function cdnv(geo: ClassGeometry, second: SecondPass, counts: Float64Array): number | string {
  const Cp = geo.classes.length;
  if (Cp < 2) return `needs at least 2 classes present in the split (found ${Cp})`;
  const V = Array.from(geo.classes, (c, a) => second.withinSq[a] / counts[c]);
  let s = 0,
    pairs = 0;
  for (let a = 0; a < Cp; a++) {
    for (let b = a + 1; b < Cp; b++) {
      const d = geo.meanDist[a * Cp + b];
      if (d === 0) return `classes ${geo.classes[a]} and ${geo.classes[b]} have identical means`;
      s += (V[a] + V[b]) / (2 * d);
      pairs++;
    }
  }
  return s / pairs;
}

/** Mean over pairs a < b of -log max(||u_a - u_b||, 1e-12), u = centred mean / its norm (Wu & Papyan 2024). */
function gnc2(K: Float64Array, norms: number[], Cp: number): number | string {
  if (Cp < 2) return `needs at least 2 classes present in the split (found ${Cp})`;
  if (norms.some((r) => r === 0)) return 'a class mean equals the global mean, so its direction is undefined';
  let s = 0,
    pairs = 0;
  for (let a = 0; a < Cp; a++) {
    for (let b = a + 1; b < Cp; b++) {
      const d2 = Math.max(0, 2 - (2 * K[a * Cp + b]) / (norms[a] * norms[b]));
      s -= Math.log(Math.max(Math.sqrt(d2), 1e-12));
      pairs++;
    }
  }
  return s / pairs;
}

/** cos(w_c, mu_c - mu_G) per collapse class (self-duality, NC3 in cosine form). */
function dualityCosines(geo: ClassGeometry, layer: LastLayer, m: number, norms: number[]): number[] | string {
  const out: number[] = [];
  for (let a = 0; a < geo.classes.length; a++) {
    const wo = geo.classes[a] * m;
    let dot = 0,
      w2 = 0;
    for (let j = 0; j < m; j++) {
      const w = layer.weight[wo + j];
      dot += w * geo.centred[a * m + j];
      w2 += w * w;
    }
    if (w2 === 0) return `the classifier row of class ${geo.classes[a]} is zero`;
    if (norms[a] === 0) return `the mean of class ${geo.classes[a]} equals the global mean`;
    out.push(dot / (Math.sqrt(w2) * norms[a]));
  }
  return out;
}
