import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../data/prng';
import { embeddingLookup } from '../ops/embedding';
import { linear } from '../ops/matmul';
import { normalVariable, type Model } from './model';

export interface QuadraticMlpOptions {
  vocab: number;
  numClasses: number;
  width?: number;
  /** Default 0.5 / (2 * width)^(1/3), the grokking recipe's scale. */
  initStd?: number;
}

export const defaultQuadraticInitStd = (width: number) => 0.5 / Math.cbrt(2 * width);

/**
 * The quadratic grokking MLP: logits = W (E1[a] + E2[b])^2, no biases.
 * Input: [n, 2] int32 token ids (a, b). Lookups are gathers with a one-hot-matMul gradient
 * (gather has no gradient on wasm, and a one-hot matMul forward costs vocab times more).
 */
export function quadraticMlp(rng: Rng, opts: QuadraticMlpOptions): Model {
  const width = opts.width ?? 128;
  const std = opts.initStd ?? defaultQuadraticInitStd(width);
  const embedA = normalVariable(rng, [opts.vocab, width], std);
  const embedB = normalVariable(rng, [opts.vocab, width], std);
  const out = normalVariable(rng, [opts.numClasses, width], std);
  const weights = { 'embed_a.weight': embedA, 'embed_b.weight': embedB, 'out.weight': out };
  return {
    kind: 'quadratic-mlp',
    input: 'tokens',
    forward(x) {
      return tf.tidy(() => {
        const [a, b] = tf.unstack(x, 1) as tf.Tensor1D[];
        const h = tf.add(embeddingLookup(embedA as tf.Tensor2D, a), embeddingLookup(embedB as tf.Tensor2D, b)) as tf.Tensor2D;
        const features = tf.square(h);
        return { logits: linear(features, out as tf.Tensor2D), features };
      });
    },
    lastLayer: () => ({ weight: out }),
    namedWeights: () => ({ ...weights }),
    dispose: () => tf.dispose(Object.values(weights)),
  };
}
