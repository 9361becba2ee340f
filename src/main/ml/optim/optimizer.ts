import * as tf from '@tensorflow/tfjs';

export interface SlotData {
  shape: number[];
  data: Float32Array;
}

/** Everything needed to resume an optimizer exactly: its step count and per-parameter buffers. */
export interface OptimizerState {
  kind: string;
  step: number;
  /** `${paramName}.${slot}` (e.g. `out.weight.exp_avg`) -> buffer. */
  slots: Record<string, SlotData>;
}

export interface Optimizer {
  readonly kind: string;
  /** Number of updates applied so far. */
  readonly stepCount: number;
  /** Applies one update with learning rate `lr`; grads are keyed like the params. Does not dispose grads. */
  step(grads: Record<string, tf.Tensor>, lr: number): void;
  /** Asynchronous: WebGPU has no synchronous read in Node. */
  getState(): Promise<OptimizerState>;
  setState(state: OptimizerState): void;
  dispose(): void;
}

/** Lazily created zero buffers per (param, slot); kept as non-trainable variables so tidy leaves them. */
export class SlotStore {
  private readonly slots = new Map<string, tf.Variable>();

  constructor(private readonly params: Record<string, tf.Variable>) {}

  get(param: string, slot: string): tf.Variable {
    const key = `${param}.${slot}`;
    let v = this.slots.get(key);
    if (!v) {
      const p = this.params[param];
      v = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
      this.slots.set(key, v);
    }
    return v;
  }

  async export(): Promise<Record<string, SlotData>> {
    const out: Record<string, SlotData> = {};
    for (const [key, v] of this.slots) out[key] = { shape: v.shape.slice(), data: Float32Array.from((await v.data()) as Float32Array) };
    return out;
  }

  import(slots: Record<string, SlotData>): void {
    this.dispose();
    for (const [key, s] of Object.entries(slots))
      this.slots.set(
        key,
        tf.tidy(() => tf.variable(tf.tensor(s.data, s.shape), false)),
      );
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
