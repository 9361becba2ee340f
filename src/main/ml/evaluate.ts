import * as tf from '@tensorflow/tfjs';
import type { SplitTensors } from './data/tensors';
import type { Model } from './models/model';
import { correctCount, softmaxCrossEntropy } from './ops/cross-entropy';

/** Rows per forward pass when evaluating, to bound memory on large splits. */
const EVAL_CHUNK = 8192;

/** Mean softmax cross-entropy and top-1 accuracy of the model on a split (no gradients). */
export function evaluate(model: Model, split: SplitTensors): { loss: number; acc: number } {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.n; start += EVAL_CHUNK) {
    const size = Math.min(EVAL_CHUNK, split.n - start);
    const [l, c] = tf.tidy(() => {
      const whole = size === split.n;
      const x = whole ? split.x : tf.slice(split.x, [start, 0], [size, -1]);
      const y = whole ? split.y : tf.slice(split.y, [start], [size]);
      const y1h = whole ? split.yOneHot : tf.slice(split.yOneHot, [start, 0], [size, -1]);
      const { logits } = model.forward(x);
      return [softmaxCrossEntropy(logits, y1h), correctCount(logits, y)];
    });
    lossSum += (l.dataSync()[0] as number) * size;
    correct += c.dataSync()[0] as number;
    tf.dispose([l, c]);
  }
  return { loss: lossSum / split.n, acc: correct / split.n };
}
