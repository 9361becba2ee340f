import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../../shared/domain/train-config';
import { invalid } from '../../../shared/api/errors';
import { normalArray, type Rng } from '../data/prng';
import { addRow } from '../ops/broadcast';
import { conv3x3, maxPool2x2 } from '../ops/conv';
import { linear } from '../ops/matmul';
import { activate } from './mlp';
import { normalVariable, zerosVariable, type Model } from './model';

export interface CnnOptions {
  inputDim: number;
  numClasses: number;
  channels?: number[];
  hidden?: number;
  activation?: Activation;
  /** [height, width, channels] of a row (HWC); default inferred (see imageShape). */
  inputShape?: [number, number, number];
  initScale?: number;
}

/** The image shape of a flattened row: given, else square with 1 channel, else square with 3. */
export function imageShape(inputDim: number, given?: [number, number, number]): [number, number, number] {
  if (given) {
    if (given[0] * given[1] * given[2] !== inputDim) {
      throw invalid(`model.inputShape ${given.join('x')} has ${given[0] * given[1] * given[2]} values, the data rows have ${inputDim}`, {
        field: 'model.inputShape',
      });
    }
    return given;
  }
  for (const c of [1, 3]) {
    const s = Math.round(Math.sqrt(inputDim / c));
    if (s * s * c === inputDim) return [s, s, c];
  }
  throw invalid(`cannot infer an image shape from ${inputDim} input values: set model.inputShape [height, width, channels]`, {
    field: 'model.inputShape',
  });
}

function convVariable(rng: Rng, out: number, inC: number, std: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor4d(normalArray(rng, out * inC * 9, std), [out, inC, 3, 3])));
}

/**
 * Small CNN: per entry of `channels`, conv3x3 (padding 1) + bias, activation, maxpool 2x2; then a
 * dense layer (`fc`, the penultimate features) and the last linear layer (`out`). Weights use
 * PyTorch names and layouts (`conv1.weight` out x in x 3 x 3), and `fc` reads the conv output
 * flattened in PyTorch's (c, h, w) order, so weights move to and from torch unchanged.
 * Input: [n, h*w*c] rows in HWC order (the idx dataset's flattened images).
 */
export function cnn(rng: Rng, opts: CnnOptions): Model {
  const channels = opts.channels ?? [16, 32];
  const hidden = opts.hidden ?? 128;
  const act = opts.activation ?? 'relu';
  const scale = opts.initScale ?? 1;
  const [h, w, c] = imageShape(opts.inputDim, opts.inputShape);
  const f = 2 ** channels.length;
  if (h % f !== 0 || w % f !== 0) {
    throw invalid(`a ${channels.length}-conv cnn needs height and width divisible by ${f}, got ${h}x${w}`, { field: 'model.channels' });
  }
  const gain = act === 'relu' ? Math.SQRT2 : 1;
  const monotone = act === 'relu' || act === 'tanh';
  const named: Record<string, tf.Variable> = {};
  const convs: { w: tf.Variable; b: tf.Variable }[] = [];
  let inC = c;
  channels.forEach((out, i) => {
    const cw = convVariable(rng, out, inC, (scale * gain) / Math.sqrt(inC * 9));
    const cb = zerosVariable(out);
    convs.push({ w: cw, b: cb });
    named[`conv${i + 1}.weight`] = cw;
    named[`conv${i + 1}.bias`] = cb;
    inC = out;
  });
  const flat = inC * (h / f) * (w / f);
  const fcW = normalVariable(rng, [hidden, flat], (scale * gain) / Math.sqrt(flat));
  const fcB = zerosVariable(hidden);
  const outW = normalVariable(rng, [opts.numClasses, hidden], scale / Math.sqrt(hidden));
  const outB = zerosVariable(opts.numClasses);
  Object.assign(named, { 'fc.weight': fcW, 'fc.bias': fcB, 'out.weight': outW, 'out.bias': outB });
  return {
    kind: 'cnn',
    input: 'dense',
    // one conv activation of 8192 28x28x16 images is ~400 MB: evaluate in smaller chunks
    evalBatch: 1024,
    forward(x) {
      return tf.tidy(() => {
        const n = x.shape[0];
        let z = tf.reshape(x, [n, h, w, c]) as tf.Tensor4D;
        convs.forEach(({ w: cw, b: cb }, i) => {
          const conv = conv3x3(z, cw as tf.Tensor4D, i === 0);
          const [, ch, cw2, cc] = conv.shape;
          const y = tf.reshape(addRow(tf.reshape(conv, [-1, cc]) as tf.Tensor2D, cb), [n, ch, cw2, cc]) as tf.Tensor4D;
          const a = (t: tf.Tensor4D) => activate(act, t as unknown as tf.Tensor2D) as unknown as tf.Tensor4D;
          // pooling commutes with a non-decreasing activation, which then runs on 4x fewer values
          z = monotone ? a(maxPool2x2(y)) : maxPool2x2(a(y));
        });
        // NHWC -> NCHW before flattening: PyTorch's order for fc.weight's columns
        const flatX = tf.reshape(tf.transpose(z, [0, 3, 1, 2]), [n, flat]) as tf.Tensor2D;
        const features = activate(act, addRow(linear(flatX, fcW as tf.Tensor2D), fcB));
        const logits = addRow(linear(features, outW as tf.Tensor2D), outB);
        return { logits, features };
      });
    },
    lastLayer: () => ({ weight: outW, bias: outB }),
    namedWeights: () => ({ ...named }),
    dispose: () => tf.dispose(Object.values(named)),
  };
}
