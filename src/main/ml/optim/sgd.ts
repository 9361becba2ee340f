import * as tf from '@tensorflow/tfjs';
import { SlotStore, type Optimizer } from './optimizer';

export interface SgdOptions {
  momentum?: number;
  nesterov?: boolean;
  /** Coupled L2: wd * p is added to the gradient (PyTorch SGD). */
  weightDecay?: number;
}

/**
 * SGD with PyTorch semantics: g += wd p; buf = g on the first step, then buf = mu buf + g;
 * the update direction is g + mu buf (Nesterov) or buf; p -= lr * direction.
 */
export function sgd(params: Record<string, tf.Variable>, opts: SgdOptions = {}): Optimizer {
  const mu = opts.momentum ?? 0;
  const nesterov = opts.nesterov ?? false;
  const wd = opts.weightDecay ?? 0;
  const slots = new SlotStore(params);
  let t = 0;
  return {
    kind: 'sgd',
    get stepCount() {
      return t;
    },
    step(grads, lr) {
      tf.tidy(() => {
        for (const [name, p] of Object.entries(params)) {
          const g0 = grads[name];
          if (!g0) continue;
          let g = wd !== 0 ? tf.add(g0, tf.mul(p, wd)) : g0;
          if (mu !== 0) {
            const buf = slots.get(name, 'momentum_buffer');
            const next = t === 0 ? g : tf.add(tf.mul(buf, mu), g);
            buf.assign(next);
            g = nesterov ? tf.add(g, tf.mul(next, mu)) : next;
          }
          p.assign(tf.sub(p, tf.mul(g, lr)));
        }
      });
      t++;
    },
    getState: async () => ({ kind: 'sgd', step: t, slots: await slots.export() }),
    setState(state) {
      slots.import(state.slots);
      t = state.step;
    },
    dispose: () => slots.dispose(),
  };
}
