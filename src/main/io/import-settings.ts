import type { ImportScalar } from './import-types';

/** Where training scripts keep the optimizer's state_dict in a checkpoint (the first param group is read). */
const OPTIMIZER_GROUP = /^(optimizer|optim|opt|optimizer_state_dict|optimizer_state)\.param_groups\.0\.(.+)$/;
/** PyTorch's param_group fields, under the names Plateau's optimizer settings use. */
const OPTIMIZER_FIELDS: Record<string, string> = {
  lr: 'lr',
  momentum: 'momentum',
  weight_decay: 'weightDecay',
  nesterov: 'nesterov',
  dampening: 'dampening',
  'betas.0': 'beta1',
  'betas.1': 'beta2',
  eps: 'eps',
};
const COUNTERS = ['epoch', 'step', 'global_step', 'iteration'];

export interface StatedSettings {
  optimizer?: Record<string, number | boolean>;
  epoch?: number;
  step?: number;
}

/**
 * The training settings a checkpoint states about itself: its optimizer's first param group and its
 * epoch or step counter. Only what the file holds; nothing is filled in (the optimizer's class is not
 * in a state_dict, so no kind is claimed).
 */
export function statedSettings(scalars: Record<string, ImportScalar>): StatedSettings {
  const optimizer: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(scalars)) {
    const m = OPTIMIZER_GROUP.exec(k);
    const name = m && OPTIMIZER_FIELDS[m[2]];
    if (name && (typeof v === 'number' || typeof v === 'boolean')) optimizer[name] ??= v;
  }
  const out: StatedSettings = Object.keys(optimizer).length ? { optimizer } : {};
  const epoch = scalars.epoch;
  if (typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0) out.epoch = epoch;
  const step = COUNTERS.slice(1)
    .map((k) => scalars[k])
    .find((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
  if (typeof step === 'number') out.step = step;
  return out;
}
