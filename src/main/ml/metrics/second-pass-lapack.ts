import type { Lapack } from '../lapack';
import { rowChunks, type FirstPass } from './feature-scan';
import type { SecondPass, SecondPassPlan } from './second-pass';
import type { FeatureSource } from './types';

/**
 * The second pass (second-pass.ts) on the system BLAS, block by block: the deviations' projections on
 * the centred means as one dgemm, their scatter (or the feature-space scatter) as one dsyrk, and G~ p for
 * kappa_sigma as one product. The same float64 sums as the JS route, in another order.
 */

const BLOCK_VALUES = 1 << 22;
const MAX_BLOCK_ROWS = 4096;

export function secondPassLapack(lp: Lapack, split: FeatureSource, first: FirstPass, plan: SecondPassPlan, name = 'split'): SecondPass {
  const { n, m, labels } = split;
  const { C, probs, pred, cls } = first;
  const { slot, classes } = cls;
  const { means, centred, meanDist, invVar, gramSigma, collapse } = plan;
  const Cp = classes.length;
  const byClass = collapse && plan.scatter === 'classes';
  const byFeature = collapse && plan.scatter === 'features';
  const projScatter = new Float64Array(byClass ? Cp * Cp : 0);
  const featureScatter = new Float64Array(byFeature ? m * m : 0);
  const withinSq = new Float64Array(Cp);
  const sigma = invVar && gramSigma && probs ? { invVar, gramSigma, probs } : null;
  const B = Math.max(1, Math.min(MAX_BLOCK_ROWS, n, Math.floor(BLOCK_VALUES / Math.max(C, Cp, m))));
  const E = new Float64Array(B * m);
  const proj = new Float64Array(B * Cp);
  const PG = sigma ? new Float64Array(B * C) : null;
  const rowOf = new Int32Array(B);
  const e2 = new Float64Array(B);
  let mismatches = 0,
    kappaSigmaSum = 0,
    scattered = false;
  for (const chunk of rowChunks(split, name)) {
    const x = chunk.x;
    for (let r0 = 0; r0 < chunk.rows; r0 += B) {
      const rows = Math.min(B, chunk.rows - r0);
      const i0 = chunk.start + r0;
      if (sigma && PG) {
        const P = sigma.probs.subarray(i0 * C, (i0 + rows) * C);
        const Gs = sigma.gramSigma;
        lp.dgemm(0, 0, rows, C, C, 1, P, Gs, 0, PG);
        for (let r = 0; r < rows; r++) {
          let ns = 0;
          for (let j = 0, off = (r0 + r) * m; j < m; j++) ns += x[off + j] * x[off + j] * sigma.invVar[j];
          let q = 0;
          for (let c = 0, o = r * C; c < C; c++) q += P[o + c] * (Gs[c * C + c] - PG[o + c]);
          kappaSigmaSum += ns * q;
        }
      }
      if (!collapse) continue;
      // deviations from the class means of the block's samples that belong to a collapse class, packed
      let k = 0;
      for (let r = 0; r < rows; r++) {
        const a = slot[labels[i0 + r]];
        if (a < 0) continue; // not among the collapse classes: dropped
        let s = 0;
        for (let j = 0, off = (r0 + r) * m, mo = a * m, eo = k * m; j < m; j++) {
          const d = x[off + j] - means[mo + j];
          E[eo + j] = d;
          s += d * d;
        }
        withinSq[a] += s;
        e2[k] = s;
        rowOf[k++] = i0 + r;
      }
      if (k === 0) continue;
      lp.dgemm(0, 1, k, Cp, m, 1, E, centred, 0, proj);
      if (byClass) lp.dsyrk(1, Cp, k, 1, proj, scattered ? 1 : 0, projScatter);
      else lp.dsyrk(1, m, k, 1, E, scattered ? 1 : 0, featureScatter);
      scattered = true;
      // ||phi - mu_c||^2 = ||e||^2 + 2 e.(mu_y - mu_c) + ||mu_y - mu_c||^2, and e.(mu_y - mu_c) = proj_y - proj_c.
      for (let t = 0; t < k; t++) {
        const i = rowOf[t];
        const a = slot[labels[i]];
        const po = t * Cp;
        let best = 0,
          bestDist = Infinity;
        for (let c = 0; c < Cp; c++) {
          const dist = e2[t] + 2 * (proj[po + a] - proj[po + c]) + meanDist[a * Cp + c];
          if (dist < bestDist) {
            bestDist = dist;
            best = c;
          }
        }
        if (classes[best] !== pred[i]) mismatches++;
      }
    }
  }
  return { projScatter, featureScatter, withinSq, mismatches, kappaSigmaSum };
}
