// A toy metric plugin for metrics-registry.test.ts: the whole extension in one file (descriptor + producer).
// Plain JS so the built metrics worker can import it without a build step.

export const descriptor = {
  key: 'toy_weight_l1',
  family: 'weights',
  label: 'Sum of |w| over all weights (toy)',
  description: 'The L1 norm of every named weight of the model together: a toy metric showing how one is added.',
  formula: 'sum_l sum_ij |W^l_ij|',
  citation: 'test fixture',
  needs: 'weights',
  splits: ['none'],
};

/** One row per checkpoint, accumulated in float64. */
export function produce({ model, at }) {
  let sum = 0;
  for (const v of Object.values(model.namedWeights())) for (const x of v.dataSync()) sum += Math.abs(x);
  return [{ step: at.step, epoch: at.epoch, split: 'none', key: descriptor.key, value: sum, layer: '', checkpointStep: at.step }];
}
