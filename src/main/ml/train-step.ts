import * as tf from '@tensorflow/tfjs';
import type { Model } from './models/model';
import { trainingCrossEntropy } from './ops/cross-entropy';
import { clipByGlobalNorm } from './optim/clip';
import type { Optimizer } from './optim/optimizer';

/**
 * One optimizer update on a batch (x in the model's input form, one-hot labels); returns the batch
 * loss before the update. `params[i]` is the weight named `names[i]`. Leaves no tensors behind.
 */
export function trainStep(
  model: Model,
  opt: Optimizer,
  params: tf.Variable[],
  names: string[],
  x: tf.Tensor2D,
  yOneHot: tf.Tensor2D,
  lr: number,
  clip?: number,
): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => trainingCrossEntropy(model.forward(x).logits, yOneHot), params);
    let named: Record<string, tf.Tensor> = {};
    names.forEach((n, i) => (named[n] = grads[params[i].name]));
    if (clip !== undefined) named = clipByGlobalNorm(named, clip).grads;
    opt.step(named, lr);
    return value;
  });
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}
