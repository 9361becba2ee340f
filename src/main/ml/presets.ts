import { invalid } from '../../shared/api/errors';
import type { TrainConfigInput } from '../../shared/domain/train-config';

/**
 * Grokking on modular addition (quadratic MLP, full-batch AdamW with strong decay): train accuracy
 * saturates early, test accuracy jumps from chance to ~100% hundreds of epochs later.
 */
export const GROKKING_MLP: TrainConfigInput = {
  dataset: { kind: 'modular', p: 97, op: 'a+b', trainFraction: 0.3 },
  model: { kind: 'quadratic-mlp', width: 128, initStd: 0.5 / Math.cbrt(2 * 128) },
  optimizer: { kind: 'adamw', lr: 1e-2, beta1: 0.9, beta2: 0.98, weightDecay: 1.0 },
  schedule: { kind: 'constant' },
  epochs: 1000,
  batchSize: 'full',
  seed: 0,
  logEvery: 1,
  checkpoints: { perDecade: 4, firstAndLast: true },
};

export const PRESETS: Record<string, TrainConfigInput> = {
  'grokking-mlp': GROKKING_MLP,
};

/** A deep copy of a preset with optional top-level overrides. */
export function preset(name: string, overrides: Partial<TrainConfigInput> = {}): TrainConfigInput {
  const p = PRESETS[name];
  if (!p) throw invalid(`preset must be one of ${Object.keys(PRESETS).join(', ')}`, { field: 'preset', value: name });
  return { ...structuredClone(p), ...overrides };
}
