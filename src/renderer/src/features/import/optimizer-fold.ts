/** Entries of a checkpoint that belong to its optimizer or LR scheduler (torch's `optimizer.state_dict()` and kin). */
const OPTIMIZER = /^(optimizer|optimizers|optim|opt|optimizer_state_dict|optimizer_state|opt_state|scheduler|lr_scheduler)(\.|$)/;

export const isOptimizerEntry = (name: string) => OPTIMIZER.test(name);

/** The hyperparameters worth naming in the folded header, e.g. "lr 0.1 · momentum 0.9 · weight_decay 0.0001". */
const HEADLINE = ['lr', 'momentum', 'weight_decay', 'betas', 'eps'];

/**
 * Splits a preview's tensors and scalars into the model's and the optimizer's: the optimizer's buffers and
 * param_groups are resume state, folded away by default; a one-line summary of its first group stays in view.
 */
export function foldOptimizer<T extends { name: string }>(tensors: T[], scalars: Record<string, number | string | boolean>) {
  const optimizerScalars = Object.entries(scalars).filter(([k]) => isOptimizerEntry(k));
  const headline = HEADLINE.flatMap((h) => {
    const hit = optimizerScalars.find(([k]) => k.endsWith(`param_groups.0.${h}`));
    return hit ? [`${h} ${String(hit[1])}`] : [];
  });
  return {
    modelTensors: tensors.filter((t) => !isOptimizerEntry(t.name)),
    optimizerTensors: tensors.filter((t) => isOptimizerEntry(t.name)),
    modelScalars: Object.entries(scalars).filter(([k]) => !isOptimizerEntry(k)),
    optimizerScalars,
    headline: headline.join(' · '),
  };
}
