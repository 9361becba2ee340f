/**
 * Intervention loss terms (Han et al. 2025): METRICS.md's kappa_fam, flatness_bound and cdnv written
 * as differentiable tfjs expressions on one batch, so the optimizer can push them up or down; at the head
 * in closed form, on a GPT block's MLP output layer through interventions-placed.
 */
import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../shared/api/errors';
import { placementOf, type InterventionConfig, type InterventionKind } from '../../shared/domain/train-config';
import { blockFlatness, placedLayers, probeGradients, probeNoise, probeVector } from './interventions-placed';
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
/** Squared distance below which two class means count as one point (float32 cancellation leaves ~1e-7 of the norms). */
const COINCIDENT_MEANS = 1e-12;

export function cdnv(phi: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
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
  // masked pairs get a denominator of 1 so that 0/0 never enters the sum (NaN * 0 is NaN); two classes whose
  // batch means coincide (a language model's repeated contexts with different next tokens) get a floor, not 0/0
  const denom = tf.mul(2, tf.add(tf.mul(tf.maximum(dist, COINCIDENT_MEANS), mask), tf.sub(1, mask)));
  const ratio = tf.div(tf.add(tf.reshape(v, [C, 1]), tf.reshape(v, [1, C])), denom);
  return tf.div(tf.sum(tf.mul(ratio, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** +1 for a term that is minimised (fam), -1 for one that is pushed up (anti-*). */
export const termSign = (kind: InterventionKind): number => (kind === 'fam' ? 1 : -1);

/** Active in epoch `epoch` (1-based) while taking optimizer step `step` (1-based): inside both windows. */
export const isActive = (t: InterventionConfig, epoch: number, step?: number): boolean =>
  epoch >= t.fromEpoch &&
  epoch <= (t.toEpoch ?? Infinity) &&
  (step === undefined || (step >= (t.fromStep ?? 1) && step <= (t.toStep ?? Infinity)));

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

export interface Objective {
  total: tf.Scalar;
  ce: tf.Scalar;
  /** Each active term's unscaled value (the sum of its parts). */
  terms: tf.Scalar[];
  /** Each active term's value per placed layer, in placedLayers order (one part at 'head'). */
  parts: tf.Scalar[][];
}

/**
 * Builds the per-batch objective: cross-entropy plus the active terms, from one forward pass (two, plus a
 * gradient, when a flatness term sits on a block: interventions-placed). Returns the total and each active
 * term's unscaled value (in `active` order) and parts, all inside the caller's tidy. `noise` draws the block
 * terms' probe xi (rows x classes).
 */
export function withTerms(
  model: Model,
  active: readonly InterventionConfig[],
  ce: (logits: tf.Tensor2D) => tf.Scalar,
  noise: (rows: number, classes: number) => tf.Tensor2D = (rows, classes) => probeNoise(0, rows, classes),
): (x: tf.Tensor2D, yOneHot: tf.Tensor2D) => Objective {
  return (x, yOneHot) => {
    const { weight, bias } = model.lastLayer();
    const head = (t: InterventionConfig, out: ForwardResult) =>
      termValue(t.kind, { features: out.features, logits: out.logits, weight: weight as tf.Tensor2D, bias, yOneHot }, t);
    let loss: tf.Scalar;
    let parts: tf.Scalar[][];
    if (active.every((t) => placementOf(t) === 'head')) {
      // today's route, unchanged: one forward pass, the head's closed forms
      const out = model.forward(x);
      loss = ce(out.logits);
      parts = active.map((t) => [head(t, out)]);
    } else {
      if (!model.blockLayers || !model.forwardProbed)
        throw invalid(`interventions: model.kind '${model.kind}' has no blocks to place a term on`);
      const blocks = model.blockLayers;
      const out = model.forwardProbed(x, []);
      loss = ce(out.logits);
      const layers = active.map((t) => placedLayers(placementOf(t), blocks.length));
      const probed = [
        ...new Set(active.flatMap((t, i) => (t.kind === 'anti-collapse' ? [] : layers[i].filter((l) => l !== 'head')))),
      ] as number[];
      const D = new Map<number, tf.Tensor2D>();
      if (probed.length > 0) {
        const [n, C] = out.logits.shape;
        const u = probeVector(out.logits, noise(n, C));
        probeGradients(model, x, out, probed, u).forEach((d, i) => D.set(probed[i], d));
      }
      parts = active.map((t, i) =>
        layers[i].map((l) => {
          if (l === 'head') return head(t, out);
          if (t.kind === 'anti-collapse') return cdnv(out.blockInputs[l], yOneHot);
          return blockFlatness(t.kind, blocks[l].weight as tf.Tensor2D, D.get(l)!, out.logits.shape[0]);
        }),
      );
    }
    const terms = parts.map((p) => (p.length === 1 ? p[0] : (tf.addN(p) as tf.Scalar)));
    let total: tf.Scalar = loss;
    active.forEach((t, i) => (total = tf.add(total, tf.mul(terms[i], termSign(t.kind) * t.lambda))));
    return { total, ce: loss, terms, parts };
  };
}

/** Scales the last layer's weight back onto ||W||_F <= maxNorm (projection after the step). */
export function capClassifierNorm(model: Model, maxNorm: number): void {
  const w = model.lastLayer().weight;
  // on the device, no read back: w *= min(1, maxNorm / ||w||)
  tf.tidy(() => void w.assign(tf.mul(w, tf.minimum(1, tf.div(maxNorm, tf.norm(w))))));
}
