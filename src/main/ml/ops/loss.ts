import * as tf from '@tensorflow/tfjs';
import type { LossKind } from '../../../shared/domain/train-config';
import { softmaxCrossEntropy, trainingCrossEntropy } from './cross-entropy';
import { fusedCrossEntropyValue } from './fused-native';

/**
 * Mean squared error between the logits and one-hot targets, averaged over all n x C entries
 * (PyTorch's F.mse_loss(logits, one_hot) default). Gradient 2 (z - y) / (n C); twice differentiable.
 */
export function meanSquaredError(logits: tf.Tensor2D, targetsOneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(logits, targetsOneHot))));
}

/** The loss a config names, in its training form (fast first-order gradient). */
export function trainingLoss(kind: LossKind): (logits: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar {
  return kind === 'mse' ? meanSquaredError : trainingCrossEntropy;
}

/** The loss a config names, as a value for evaluation (one native pass where it serves; else the twice-differentiable form). */
export function evaluationLoss(kind: LossKind): (logits: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar {
  return kind === 'mse' ? meanSquaredError : (z, y) => fusedCrossEntropyValue(z, y) ?? softmaxCrossEntropy(z, y);
}
