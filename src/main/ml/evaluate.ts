import * as tf from '@tensorflow/tfjs';
import type { SplitTensors } from './data/tensors';
import type { Model } from './models/model';
import type { LossKind } from '../../shared/domain/train-config';
import { correctCount } from './ops/cross-entropy';
import { evaluationLoss } from './ops/loss';

/** Rows per forward pass when evaluating, to bound memory on large splits. */
const EVAL_CHUNK = 8192;

/**
 * Mean loss (softmax cross-entropy by default) and top-1 accuracy of the model on a split (no gradients).
 * Reads back asynchronously: WebGPU in Node has no synchronous read.
 */
export async function evaluate(model: Model, split: SplitTensors, loss: LossKind = 'ce'): Promise<{ loss: number; acc: number }> {
  const lossFn = evaluationLoss(loss);
  let lossSum = 0;
  let correct = 0;
  const chunk = model.evalBatch ?? EVAL_CHUNK;
  for (let start = 0; start < split.n; start += chunk) {
    const size = Math.min(chunk, split.n - start);
    const [l, c] = tf.tidy(() => {
      const whole = size === split.n;
      const x = whole ? split.x : tf.slice(split.x, [start, 0], [size, -1]);
      const y = whole ? split.y : tf.slice(split.y, [start], [size]);
      const y1h = whole ? split.yOneHot : tf.slice(split.yOneHot, [start, 0], [size, -1]);
      const { logits } = model.forward(x);
      return [lossFn(logits, y1h), correctCount(logits, y)];
    });
    const [lv, cv] = await Promise.all([l.data(), c.data()]);
    tf.dispose([l, c]);
    lossSum += lv[0] * size;
    correct += cv[0];
  }
  return { loss: lossSum / split.n, acc: correct / split.n };
}
