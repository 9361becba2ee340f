import * as tf from '@tensorflow/tfjs';
import { rowsOf, type SplitTensors } from './data/tensors';
import type { Model } from './models/model';
import type { LossKind } from '../../shared/domain/train-config';
import { correctCount } from './ops/cross-entropy';
import { evaluationLoss } from './ops/loss';

/** Targets per forward pass when evaluating, to bound memory on large splits. */
const EVAL_CHUNK = 8192;

/**
 * Mean loss (softmax cross-entropy by default) and top-1 accuracy over a split's targets (no gradients).
 * Reads back asynchronously: WebGPU in Node has no synchronous read.
 */
export async function evaluate(model: Model, split: SplitTensors, loss: LossKind = 'ce'): Promise<{ loss: number; acc: number }> {
  const lossFn = evaluationLoss(loss);
  let lossSum = 0;
  let correct = 0;
  const chunk = model.evalBatch ?? Math.max(1, Math.floor(EVAL_CHUNK / split.perRow));
  for (let start = 0; start < split.n; start += chunk) {
    const size = Math.min(chunk, split.n - start);
    const [l, c] = tf.tidy(() => {
      const { x, y, y1h } = rowsOf(split, start, size);
      const { logits } = model.forward(x);
      return [lossFn(logits, y1h), correctCount(logits, y)];
    });
    const [lv, cv] = await Promise.all([l.data(), c.data()]);
    tf.dispose([l, c]);
    // per target: a row holds perRow of them (positions of a window)
    lossSum += lv[0] * size * split.perRow;
    correct += cv[0];
  }
  const targets = split.n * split.perRow;
  return { loss: lossSum / targets, acc: correct / targets };
}
