import * as tf from '@tensorflow/tfjs';
import type { InterventionConfig, LossKind } from '../../shared/domain/train-config';
import { capClassifierNorm, withTerms } from './interventions';
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
): Promise<{ loss: number; terms: number[] }> {
  const lossFn = trainingLoss(loss);
  const objective = withTerms(model, active, (out) => lossFn(out.logits, yOneHot));
  let parts: tf.Scalar[] = [];
  const values = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const r = objective(model.forward(x), yOneHot);
      // kept: the forward's tidy would free them; disposed below once read
      parts = [r.ce, ...r.terms].map((t) => tf.keep(t));
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
  return { loss: data[0], terms: Array.from(data.subarray(1)) };
}
