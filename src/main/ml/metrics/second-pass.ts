import { metricsLapack } from '../lapack';
import { gramQuadratic, rowChunks, type FirstPass } from './feature-scan';
import { secondPassLapack } from './second-pass-lapack';
import type { FeatureSource } from './types';

/** Inputs of the second pass, derived from the first: class geometry and the standardised Gram. */
export interface SecondPassPlan {
  /** class means of the collapse classes, Cp x m (by slot) */
  means: Float64Array;
  /** centred means mu_c - mu_G, Cp x m */
  centred: Float64Array;
  /** ||mu_a - mu_b||^2, Cp x Cp */
  meanDist: Float64Array;
  /** kappa_sigma on the Gram route: 1/sigma_j^2, 0 for constant features; null to skip */
  invVar: Float64Array | null;
  /** kappa_sigma on the Gram route: W diag(sigma^2) W^T over non-constant features, C x C */
  gramSigma: Float64Array | null;
  collapse: boolean;
  /**
   * Where nc1's within-class scatter is kept: projected on the centred means (Cp x Cp, for m >= Cp) or
   * in feature space (m x m, for m < Cp: at vocabulary scale m^2 per sample instead of Cp^2 / 2).
   */
  scatter: 'classes' | 'features';
}

export interface SecondPass {
  /** sum_i (e_i . centred_a)(e_i . centred_b), e_i = phi_i - mu_{y_i}, over samples of the collapse classes; Cp x Cp or empty */
  projScatter: Float64Array;
  /** sum_i e_i e_i^T over the same samples, m x m, when the scatter is kept in feature space (else empty) */
  featureScatter: Float64Array;
  /** sum over samples of class a of ||e_i||^2; Cp */
  withinSq: Float64Array;
  /** samples of the collapse classes whose argmax logit differs from the nearest class mean */
  mismatches: number;
  /** Gram route: sum_i ||phi~_i||^2 (sum_c G~_cc p_ic - p_i^T G~ p_i) */
  kappaSigmaSum: number;
}

/** Deviations from the class means (the first pass gave the means), in float64 over the same chunks. */
export function secondPass(split: FeatureSource, first: FirstPass, plan: SecondPassPlan, name = 'split'): SecondPass {
  const lp = metricsLapack();
  return lp ? secondPassLapack(lp, split, first, plan, name) : secondPassJs(split, first, plan, name);
}

/** The second pass in JS, sample by sample (the route without a system BLAS). */
export function secondPassJs(split: FeatureSource, first: FirstPass, plan: SecondPassPlan, name = 'split'): SecondPass {
  const { m, labels } = split;
  const { C, probs, pred, cls } = first;
  const { slot, classes } = cls;
  const { means, centred, meanDist, invVar, gramSigma, collapse } = plan;
  const Cp = classes.length;
  const byClass = collapse && plan.scatter === 'classes';
  const byFeature = collapse && plan.scatter === 'features';
  const projScatter = new Float64Array(byClass ? Cp * Cp : 0);
  const featureScatter = new Float64Array(byFeature ? m * m : 0);
  const withinSq = new Float64Array(Cp);
  const e = new Float64Array(m);
  const proj = new Float64Array(Cp);
  let mismatches = 0,
    kappaSigmaSum = 0;
  for (const chunk of rowChunks(split, name)) {
    const x = chunk.x;
    for (let r = 0; r < chunk.rows; r++) {
      const i = chunk.start + r;
      const off = r * m;
      if (invVar && gramSigma && probs) {
        let ns = 0;
        for (let j = 0; j < m; j++) {
          const val = x[off + j];
          ns += val * val * invVar[j];
        }
        kappaSigmaSum += ns * gramQuadratic(gramSigma, probs.subarray(i * C, (i + 1) * C), C);
      }
      if (!collapse) continue;
      const a = slot[labels[i]];
      if (a < 0) continue; // not among the collapse classes: dropped
      const mo = a * m;
      let e2 = 0;
      for (let j = 0; j < m; j++) {
        const d = x[off + j] - means[mo + j];
        e[j] = d;
        e2 += d * d;
      }
      withinSq[a] += e2;
      for (let b = 0; b < Cp; b++) {
        const co = b * m;
        let a0 = 0,
          a1 = 0,
          j = 0;
        for (; j + 1 < m; j += 2) {
          a0 += e[j] * centred[co + j];
          a1 += e[j + 1] * centred[co + j + 1];
        }
        if (j < m) a0 += e[j] * centred[co + j];
        proj[b] = a0 + a1;
      }
      if (byClass) {
        for (let b = 0; b < Cp; b++) {
          const pb = proj[b];
          for (let c = b, o = b * Cp; c < Cp; c++) projScatter[o + c] += pb * proj[c];
        }
      } else {
        for (let j = 0; j < m; j++) {
          const ej = e[j];
          for (let k = j, o = j * m; k < m; k++) featureScatter[o + k] += ej * e[k];
        }
      }
      // ||phi - mu_c||^2 = ||e||^2 + 2 e.(mu_y - mu_c) + ||mu_y - mu_c||^2, and e.(mu_y - mu_c) = proj_y - proj_c.
      let best = 0,
        bestDist = Infinity;
      for (let c = 0; c < Cp; c++) {
        const dist = e2 + 2 * (proj[a] - proj[c]) + meanDist[a * Cp + c];
        if (dist < bestDist) {
          bestDist = dist;
          best = c;
        }
      }
      if (classes[best] !== pred[i]) mismatches++;
    }
  }
  if (byClass) for (let b = 0; b < Cp; b++) for (let c = 0; c < b; c++) projScatter[b * Cp + c] = projScatter[c * Cp + b];
  if (byFeature) for (let j = 0; j < m; j++) for (let k = 0; k < j; k++) featureScatter[j * m + k] = featureScatter[k * m + j];
  return { projScatter, featureScatter, withinSq, mismatches, kappaSigmaSum };
}
