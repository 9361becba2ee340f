/**
 * Intervention terms placed on hidden layers (train-config.ts's interventionSchema states the quantities):
 * a GPT block's MLP output layer W (stored in x out), with h_i its input at position i. A hidden layer has no
 * closed form like the head's, so the flatness terms use the Gauss-Newton matrix F of the mean cross-entropy
 * w.r.t. W, read through one reparameterised probe: u_i = sqrt(p_i) xi_i - p_i <sqrt(p_i), xi_i>, xi_i ~ N(0, I),
 * has covariance diag(p_i) - p_i p_i^T (the Hessian of cross-entropy in the logits), so with
 * D = d/dW sum_i <z_i, u_i> = sum_i h_i g_i^T (one vector-Jacobian product), E ||D||_F^2 / n = Tr F, and the
 * per-neuron trace sum_{s,s'} <w_s, w_s'> Tr F_{s,s'} is E <D^T D, W^T W>_F / n. Labels sampled from p would give
 * the same value, but their gradient through p vanishes in expectation (E_y[p - e_y] = 0); the Gaussian keeps
 * p differentiable, so the optimizer gets an unbiased gradient of the expected term. D depends on the weights
 * through a gradient, so the term's own gradient is a gradient through a gradient: tfjs supports it once the
 * second-order gradients are installed (hessian/second-order), with the probe's vector passed as the `dy` of
 * an inner tf.grads over a second forward pass with zero perturbations added to each placed layer's output.
 */
import * as tf from '@tensorflow/tfjs';
import { invalid } from '../../shared/api/errors';
import { placementOf, type InterventionKind, type Placement, type TrainConfig } from '../../shared/domain/train-config';
import { createRng, normalArray } from './data/prng';
import { installSecondOrderGradients } from './hessian/second-order';
import type { ForwardResult, Model } from './models/model';
import { logSumExpRows } from './ops/cross-entropy';
import { matMul } from './ops/matmul';

/** 'head' or a block index, in the order the parts of a term are summed and logged. */
export type PlacedLayer = 'head' | number;

/** The layers a placement names, for a model with `blocks` block layers. */
export function placedLayers(placement: Placement, blocks: number): PlacedLayer[] {
  if (placement === 'head') return ['head'];
  if (placement === 'all') return [...Array.from({ length: blocks }, (_, k) => k), 'head'];
  return [Number(placement.slice('block:'.length))];
}

/** The log's layer name of a part (MetricRow.layer): the block layer's weight name, or 'head'. */
export const partName = (layer: PlacedLayer): string => (layer === 'head' ? 'head' : `transformer.h.${layer}.mlp.c_proj.weight`);

/** Rejects placements the model cannot take before anything is built (field named, like a schema error). */
export function checkPlacements(config: Pick<TrainConfig, 'model' | 'interventions'>): void {
  config.interventions.forEach((t, i) => {
    const placement = placementOf(t);
    if (placement === 'head') return;
    const field = `interventions.${i}.placement`;
    if (config.model.kind !== 'gpt') {
      throw invalid(`${field} '${t.placement}' needs a model with blocks (model.kind 'gpt'); model.kind is '${config.model.kind}'`, {
        field,
        value: t.placement,
      });
    }
    const L = config.model.layers;
    const k = placement === 'all' ? 0 : Number(placement.slice('block:'.length));
    if (k >= L)
      throw invalid(`${field} '${t.placement}': the model has ${L} blocks (block:0 to block:${L - 1})`, { field, value: t.placement });
  });
}

/** The seed of step `step`'s probe: a function of the run's seed and the step, so a resumed run draws the same. */
export const probeSeed = (seed: number, step: number): number =>
  (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0;

/** The probe xi (rows x classes, iid N(0, 1)) of a seed, drawn in JS so that every backend sees the same numbers. */
export function probeNoise(seed: number, rows: number, classes: number): tf.Tensor2D {
  return tf.tensor2d(normalArray(createRng(seed), rows * classes), [rows, classes]);
}

/** u = sqrt(p) xi - p <sqrt(p), xi> per row, differentiable in the logits (sqrt(p) as exp(log p / 2): finite at p -> 0). */
export function probeVector(logits: tf.Tensor2D, xi: tf.Tensor2D): tf.Tensor2D {
  const logp = tf.sub(logits, logSumExpRows(logits));
  const sp = tf.exp(tf.mul(logp, 0.5));
  const p = tf.exp(logp);
  const spXi = tf.mul(sp, xi);
  return tf.sub(spXi, tf.mul(p, tf.sum(spXi, 1, true))) as tf.Tensor2D;
}

/**
 * D_k = sum_i h_i g_i^T (in x out, W's layout) for each block k in `blocks`: the gradient w.r.t. W_k of
 * sum_i <z_i, u_i>, through the inner forward pass. Differentiable w.r.t. every weight (call inside the tape).
 */
export function probeGradients(model: Model, x: tf.Tensor2D, out: Probed, blocks: readonly number[], u: tf.Tensor2D): tf.Tensor2D[] {
  installSecondOrderGradients();
  const L = model.blockLayers!.length;
  // the perturbations are leaves of the inner gradient (W's output has the residual stream's width, as the features)
  const zeros = blocks.map(() => tf.zeros(out.features.shape) as tf.Tensor2D);
  const g = tf.grads((...ds: tf.Tensor[]) => {
    const deltas: (tf.Tensor2D | undefined)[] = new Array(L).fill(undefined);
    blocks.forEach((k, i) => (deltas[k] = ds[i] as tf.Tensor2D));
    return model.forwardProbed!(x, deltas).logits;
  })(zeros, u);
  return blocks.map((k, i) => matMul(tf.transpose(out.blockInputs[k]) as tf.Tensor2D, g[i] as tf.Tensor2D));
}

export type Probed = ForwardResult & { blockInputs: tf.Tensor2D[] };

/**
 * The unsigned flatness term of `kind` on a block layer's weight W (in x out) from its probe gradient D, over n
 * positions: flatness_bound = ||W||_F^2 ||D||_F^2 / n, kappa_fam = <D^T D, W^T W>_F / (n m), m = W's input width.
 */
export function blockFlatness(kind: Exclude<InterventionKind, 'anti-collapse'>, W: tf.Tensor2D, D: tf.Tensor2D, n: number): tf.Scalar {
  if (kind === 'anti-flatness') return tf.mul(tf.sum(tf.square(W)), tf.div(tf.sum(tf.square(D)), n)) as tf.Scalar;
  // <D^T D, W^T W>_F with Grams of W's output width, cheaper than ||D W^T||_F^2 (in x in)
  const gram = (a: tf.Tensor2D) => matMul(tf.transpose(a) as tf.Tensor2D, a);
  return tf.div(tf.sum(tf.mul(gram(D), gram(W))), n * W.shape[0]) as tf.Scalar;
}
