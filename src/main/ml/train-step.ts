import * as tf from '@tensorflow/tfjs';
import type { InterventionConfig, LossKind } from '../../shared/domain/train-config';
import { capClassifierNorm, withTerms } from './interventions';
import { probeNoise } from './interventions-placed';
import type { Model } from './models/model';
import { trainingLoss } from './ops/loss';
import { clipByGlobalNorm } from './optim/clip';
import type { Optimizer } from './optim/optimizer';

/**
 * One optimizer update on a batch (x in the model's input form, one-hot labels; `params[i]` is the weight
 * named `names[i]`), with the intervention terms active now: the gradient is that of CE + sum of signed
 * terms; resolves to the cross-entropy and each term's unscaled value, read back in one (asynchronous:
 * WebGPU has no synchronous read in Node) transfer. Leaves no tensors behind.
 */
export async function trainStep(
  model: Model,
  opt: Optimizer,
  params: tf.Variable[],
  names: string[],
  x: tf.Tensor2D,
  yOneHot: tf.Tensor2D,
  lr: number,
  clip: number | undefined,
  active: readonly InterventionConfig[],
  loss: LossKind = 'ce',
  probeSeed = 0,
): Promise<{ loss: number; terms: number[]; parts: number[][] }> {
  const lossFn = trainingLoss(loss);
  const objective = withTerms(
    model,
    active,
    (logits) => lossFn(logits, yOneHot),
    (rows, classes) => probeNoise(probeSeed, rows, classes),
  );
  let parts: tf.Scalar[] = [];
  let counts: number[] = [];
  const values = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const r = objective(x, yOneHot);
      // kept: the forward's tidy would free them; disposed below once read
      parts = [r.ce, ...r.terms, ...r.parts.flat()].map((t) => tf.keep(t));
      counts = r.parts.map((p) => p.length);
      return r.total;
    }, params);
    let named: Record<string, tf.Tensor> = {};
    names.forEach((n, i) => (named[n] = grads[params[i].name]));
    if (clip !== undefined) named = clipByGlobalNorm(named, clip).grads;
    opt.step(named, lr);
    return tf.stack(parts);
  });
  const data = await values.data();
  tf.dispose([values, ...parts]);
  for (const t of active) if (t.maxClassifierNorm !== undefined) capClassifierNorm(model, t.maxClassifierNorm);
  let at = 1 + active.length;
  const partValues = counts.map((c) => Array.from(data.subarray(at, (at += c))));
  return { loss: data[0], terms: Array.from(data.subarray(1, 1 + active.length)), parts: partValues };
}
