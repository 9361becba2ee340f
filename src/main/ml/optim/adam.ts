import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM, type FusedAdamAttrs } from '../ops/wasm-kernels';
import { SlotStore, type Optimizer } from './optimizer';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** true: AdamW (p -= lr * wd * p before the Adam step); false: L2 added to the gradient. */
  decoupled?: boolean;
}

/**
 * Adam / AdamW with PyTorch semantics:
 * m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
 */
export function adam(params: Record<string, tf.Variable>, opts: AdamOptions = {}): Optimizer {
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.eps ?? 1e-8;
  const wd = opts.weightDecay ?? 0;
  const decoupled = opts.decoupled ?? false;
  const kind = decoupled ? 'adamw' : 'adam';
  const slots = new SlotStore(params);
  let t = 0;
  return {
    kind,
    get stepCount() {
      return t;
    },
    step(grads, lr) {
      const step = t + 1;
      const bc1 = 1 - b1 ** step;
      const sqrtBc2 = Math.sqrt(1 - b2 ** step);
      // one native pass per parameter where the fused kernel exists (wasm with native kernels), same arithmetic
      const fused = tf.getKernel(FUSED_ADAM, tf.getBackend()) !== undefined;
      const attrs: FusedAdamAttrs = {
        lr,
        beta1: b1,
        beta2: b2,
        eps,
        bc1,
        sqrtBc2,
        l2: decoupled ? 0 : wd,
        keep: decoupled && wd !== 0 ? 1 - lr * wd : 1,
      };
      tf.tidy(() => {
        for (const [name, p] of Object.entries(params)) {
          const g0 = grads[name];
          if (!g0) continue;
          if (fused) {
            const [m, v] = [slots.get(name, 'exp_avg'), slots.get(name, 'exp_avg_sq')];
            const [pNext, mNext, vNext] = tf
              .engine()
              .runKernel(FUSED_ADAM, { p, g: g0, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
            m.assign(mNext);
            v.assign(vNext);
            p.assign(pNext);
            continue;
          }
          const g = !decoupled && wd !== 0 ? tf.add(g0, tf.mul(p, wd)) : g0;
          const m = slots.get(name, 'exp_avg');
          const v = slots.get(name, 'exp_avg_sq');
          const mNext = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
          const vNext = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
          m.assign(mNext);
          v.assign(vNext);
          const base = decoupled && wd !== 0 ? tf.mul(p, 1 - lr * wd) : p;
          const denom = tf.add(tf.div(tf.sqrt(vNext), sqrtBc2), eps);
          p.assign(tf.sub(base, tf.mul(tf.div(mNext, denom), lr / bc1)));
        }
      });
      t = step;
    },
    getState: async () => ({ kind, step: t, slots: await slots.export() }),
    setState(state) {
      slots.import(state.slots);
      t = state.step;
    },
    dispose: () => slots.dispose(),
  };
}
