import * as tf from '@tensorflow/tfjs';
import { normalArray, type Rng } from '../data/prng';

export interface ForwardResult {
  logits: tf.Tensor2D;
  /** Input of the last linear layer (penultimate features, METRICS.md `phi`). */
  features: tf.Tensor2D;
}

/** What training, checkpoints and metrics need from any model. */
export interface Model {
  readonly kind: string;
  /** What forward takes: 'dense' = [n, inputDim] float rows; 'tokens' = [n, tokens] int32 ids. */
  readonly input: 'dense' | 'tokens';
  /** Rows per forward pass when evaluating (memory bound); default evaluate's EVAL_CHUNK. */
  readonly evalBatch?: number;
  /** Call inside tf.tidy (or dispose the results). */
  forward(x: tf.Tensor2D): ForwardResult;
  /** The last linear layer: weight C x m (PyTorch layout), bias C if the model has one. */
  lastLayer(): { weight: tf.Variable; bias?: tf.Variable };
  /** Every trainable weight by a stable name (PyTorch-like), in a fixed order. */
  namedWeights(): Record<string, tf.Variable>;
  /** 2-D weights stored in x out (GPT-2's Conv1D), which per-neuron measures (kappa_layer) read transposed. */
  readonly inputMajor?: ReadonlySet<string>;
  /** Hidden linear layers a term can be placed on (GPT: block k's MLP output layer), weights stored in x out. */
  readonly blockLayers?: readonly { name: string; weight: tf.Variable }[];
  /**
   * forward with `deltas[k]` (rows x out) added to block layer k's output where given (zeros: the same values), and
   * each block layer's input (rows x in): a place to take gradients w.r.t. a hidden layer's output.
   */
  forwardProbed?(x: tf.Tensor2D, deltas: readonly (tf.Tensor2D | undefined)[]): ForwardResult & { blockInputs: tf.Tensor2D[] };
  dispose(): void;
}

/**
 * A variable initialised from our seeded PRNG, so init is identical on every backend.
 * No tfjs name: names are global in the engine and two models would collide.
 */
export function normalVariable(rng: Rng, shape: [number, number], std: number): tf.Variable {
  // tidy frees the initial value (a variable keeps its own reference to the data)
  return tf.tidy(() => tf.variable(tf.tensor2d(normalArray(rng, shape[0] * shape[1], std), shape)));
}

export function zerosVariable(size: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros([size])));
}

/** Copies weights out as plain arrays (checkpoints, metrics); asynchronous, as WebGPU needs. */
export async function snapshotWeights(model: Model): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, v] of Object.entries(model.namedWeights())) {
    out[name] = { shape: v.shape.slice(), data: Float32Array.from((await v.data()) as Float32Array) };
  }
  return out;
}

/** Writes weights back (checkpoint restore); shapes must match. */
export function loadWeights(model: Model, weights: Record<string, { shape: number[]; data: Float32Array }>): void {
  for (const [name, v] of Object.entries(model.namedWeights())) {
    const w = weights[name];
    if (!w) throw new Error(`checkpoint has no weight '${name}'`);
    if (w.shape.join('x') !== v.shape.join('x'))
      throw new Error(`weight '${name}' has shape ${w.shape.join('x')}, expected ${v.shape.join('x')}`);
    tf.tidy(() => v.assign(tf.tensor(w.data, v.shape)));
  }
}
