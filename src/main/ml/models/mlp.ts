import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../../shared/domain/train-config';
import { ACTIVATIONS } from '../../../shared/domain/train-config';
import { invalid } from '../../../shared/api/errors';
import type { Rng } from '../data/prng';
import { addRow } from '../ops/broadcast';
import { linear } from '../ops/matmul';
import { normalVariable, zerosVariable, type Model } from './model';

export interface MlpOptions {
  inputDim: number;
  numClasses: number;
  hidden?: number[];
  activation?: Activation;
  bias?: boolean;
  /** Multiplies std = gain / sqrt(fan_in) (gain sqrt(2) for relu, else 1). */
  initScale?: number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** gelu with the tanh approximation (torch's gelu(approximate='tanh')): tfjs has no gelu op. */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

export function activate(name: Activation, x: tf.Tensor2D): tf.Tensor2D {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      return gelu(x) as tf.Tensor2D;
    case 'tanh':
      return tf.tanh(x);
    case 'quadratic':
      return tf.square(x);
  }
}

/** Plain fully connected network; weights in PyTorch layout `layers.{i}.weight` (out x in). */
export function mlp(rng: Rng, opts: MlpOptions): Model {
  const hidden = opts.hidden ?? [512];
  const act = opts.activation ?? 'relu';
  const useBias = opts.bias ?? true;
  const scale = opts.initScale ?? 1;
  if (!ACTIVATIONS.includes(act))
    throw invalid(`model.activation must be one of ${ACTIVATIONS.join(', ')}`, { field: 'model.activation', value: act });
  if (!(scale > 0)) throw invalid('model.initScale must be > 0', { field: 'model.initScale', value: scale });
  const gain = act === 'relu' ? Math.SQRT2 : 1;
  const dims = [opts.inputDim, ...hidden, opts.numClasses];
  const layers: { w: tf.Variable; b?: tf.Variable }[] = [];
  const named: Record<string, tf.Variable> = {};
  for (let i = 0; i + 1 < dims.length; i++) {
    const w = normalVariable(rng, [dims[i + 1], dims[i]], (scale * gain) / Math.sqrt(dims[i]));
    const b = useBias ? zerosVariable(dims[i + 1]) : undefined;
    layers.push({ w, b });
    named[`layers.${i}.weight`] = w;
    if (b) named[`layers.${i}.bias`] = b;
  }
  const last = layers[layers.length - 1];
  return {
    kind: 'mlp',
    input: 'dense',
    forward(x) {
      return tf.tidy(() => {
        let h = x;
        for (let i = 0; i < layers.length - 1; i++) {
          const { w, b } = layers[i];
          let z = linear(h, w as tf.Tensor2D, i === 0);
          if (b) z = addRow(z, b);
          h = activate(act, z);
        }
        let logits = linear(h, last.w as tf.Tensor2D, layers.length === 1);
        if (last.b) logits = addRow(logits, last.b);
        return { logits, features: h };
      });
    },
    lastLayer: () => (last.b ? { weight: last.w, bias: last.b } : { weight: last.w }),
    namedWeights: () => ({ ...named }),
    dispose: () => tf.dispose(Object.values(named)),
  };
}
