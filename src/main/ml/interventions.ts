/**
 * Intervention loss terms (Han et al. 2025): METRICS.md's kappa_fam, flatness_bound and cdnv written
 * as differentiable tfjs expressions on one batch, so the optimizer can push them up or down.
 */
import * as tf from '@tensorflow/tfjs';
import type { InterventionConfig, InterventionKind } from '../../shared/domain/train-config';
import type { ForwardResult, Model } from './models/model';
import { logSumExpRows } from './ops/cross-entropy';
import { linear, matMul } from './ops/matmul';

export interface TermInputs {
  /** Penultimate features phi (n x m). */
  features: tf.Tensor2D;
  /** The model's logits W phi + b (n x C), reused when the term keeps the raw features. */
  logits: tf.Tensor2D;
  weight: tf.Tensor2D;
  bias?: tf.Tensor;
  yOneHot: tf.Tensor2D;
}

export interface TermOptions {
  temperature?: number;
  unitNormFeatures?: boolean;
}

/** Keeps 0/0 out of the unit-norm division for an all-zero feature row. */
const NORM_EPS = 1e-12;

/** The metric the term is built on (unsigned, unscaled): kappa_fam, flatness_bound or cdnv. */
export function termValue(kind: InterventionKind, inp: TermInputs, opts: TermOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    let phi = inp.features;
    let z = inp.logits;
    if (opts.unitNormFeatures) {
      phi = tf.div(phi, tf.sqrt(tf.add(tf.sum(tf.square(phi), 1, true), NORM_EPS)));
      z = linear(phi, inp.weight);
      if (inp.bias) z = tf.add(z, inp.bias);
    }
    if (kind === 'anti-collapse') return cdnv(phi, inp.yOneHot);
    const t = opts.temperature ?? 1;
    const zt = t === 1 ? z : tf.div(z, t);
    const p = tf.exp(tf.sub(zt, logSumExpRows(zt as tf.Tensor2D))) as tf.Tensor2D;
    const sq = tf.sum(tf.square(phi), 1);
    const W = inp.weight;
    if (kind === 'fam') {
      // sum_c G_cc p_c - p^T G p, with G = W W^T: p . diag(G) - ||W^T p||^2
      const diagG = tf.reshape(tf.sum(tf.square(W), 1), [-1, 1]) as tf.Tensor2D;
      const first = tf.reshape(matMul(p, diagG), [-1]);
      const second = tf.sum(tf.square(matMul(p, W)), 1);
      return tf.div(tf.mean(tf.mul(sq, tf.sub(first, second))), phi.shape[1]) as tf.Scalar;
    }
    const trace = tf.mean(tf.mul(sq, tf.sum(tf.mul(p, tf.sub(1, p)), 1)));
    return tf.mul(tf.sum(tf.square(W)), trace) as tf.Scalar;
  });
}

/**
 * cdnv on the batch: mean over pairs c < c' of classes present of (V_c + V_c') / (2 ||mu_c - mu_c'||^2).
 * Masks are built from labels only, so no gradient flows through them.
 */
function cdnv(phi: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const C = y.shape[1];
  const counts = tf.sum(y, 0); // C
  const present = tf.minimum(counts, 1);
  const safeCounts = tf.maximum(counts, 1);
  const mu = tf.div(matMul(tf.transpose(y), phi), tf.reshape(safeCounts, [C, 1])) as tf.Tensor2D; // C x m
  const resid = tf.sub(phi, matMul(y, mu));
  const v = tf.div(tf.sum(tf.mul(y, tf.reshape(tf.sum(tf.square(resid), 1), [-1, 1])), 0), safeCounts); // C
  const norms = tf.sum(tf.square(mu), 1);
  const dist = tf.sub(tf.add(tf.reshape(norms, [C, 1]), tf.reshape(norms, [1, C])), tf.mul(2, matMul(mu, tf.transpose(mu))));
  const upper = new Float32Array(C * C);
  for (let c = 0; c < C; c++) for (let d = c + 1; d < C; d++) upper[c * C + d] = 1;
  const mask = tf.mul(tf.tensor2d(upper, [C, C]), tf.mul(tf.reshape(present, [C, 1]), tf.reshape(present, [1, C])));
  // masked pairs get a denominator of 1 so that 0/0 never enters the sum (NaN * 0 is NaN)
  const denom = tf.mul(2, tf.add(tf.mul(dist, mask), tf.sub(1, mask)));
  const ratio = tf.div(tf.add(tf.reshape(v, [C, 1]), tf.reshape(v, [1, C])), denom);
  return tf.div(tf.sum(tf.mul(ratio, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** +1 for a term that is minimised (fam), -1 for one that is pushed up (anti-*). */
export const termSign = (kind: InterventionKind): number => (kind === 'fam' ? 1 : -1);

export const isActive = (t: InterventionConfig, epoch: number): boolean => epoch >= t.fromEpoch && epoch <= (t.toEpoch ?? Infinity);

/**
 * EpochLog keys of the terms: `intervention_fam`, `intervention_anti_flatness`, ... (a repeated kind
 * gets `_2`, `_3`). Not the METRICS.md names: with temperature or unit-norm features it is a variant.
 */
export function termLogKeys(list: readonly InterventionConfig[]): string[] {
  const seen = new Map<string, number>();
  return list.map((t) => {
    const base = `intervention_${t.kind.replace('-', '_')}`;
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return k === 1 ? base : `${base}_${k}`;
  });
}

/**
 * Builds the per-batch objective: cross-entropy plus the active terms. Returns the total and each
 * active term's unscaled value (in `active` order), all inside the caller's tidy.
 */
export function withTerms(
  model: Model,
  active: readonly InterventionConfig[],
  ce: (out: ForwardResult) => tf.Scalar,
): (out: ForwardResult, yOneHot: tf.Tensor2D) => { total: tf.Scalar; ce: tf.Scalar; terms: tf.Scalar[] } {
  return (out, yOneHot) => {
    const loss = ce(out);
    const { weight, bias } = model.lastLayer();
    const terms = active.map((t) =>
      termValue(t.kind, { features: out.features, logits: out.logits, weight: weight as tf.Tensor2D, bias, yOneHot }, t),
    );
    let total: tf.Scalar = loss;
    active.forEach((t, i) => (total = tf.add(total, tf.mul(terms[i], termSign(t.kind) * t.lambda))));
    return { total, ce: loss, terms };
  };
}

/** Scales the last layer's weight back onto ||W||_F <= maxNorm (projection after the step). */
export function capClassifierNorm(model: Model, maxNorm: number): void {
  const w = model.lastLayer().weight;
  // on the device, no read back: w *= min(1, maxNorm / ||w||)
  tf.tidy(() => void w.assign(tf.mul(w, tf.minimum(1, tf.div(maxNorm, tf.norm(w))))));
}
