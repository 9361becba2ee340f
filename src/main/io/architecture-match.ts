import type { TensorInfo } from './import-types';

/** A built-in architecture that an imported checkpoint's weights fit, and how its names map onto ours. */
export interface ArchitectureMatch {
  kind: 'mlp';
  inputDim: number;
  hidden: number[];
  numClasses: number;
  bias: boolean;
  /** Plateau weight name -> the checkpoint's name. */
  names: Record<string, string>;
}

/**
 * Recognises an `nn.Sequential` of Linear layers (`0.weight`, `2.weight`, ... with optional biases, any
 * common prefix such as `model.`), whose shapes chain (out of one = in of the next): Plateau's `mlp`.
 * Activations leave no weights, so the caller names the activation.
 */
export function matchArchitecture(tensors: readonly Pick<TensorInfo, 'name' | 'shape'>[]): ArchitectureMatch | null {
  const weights = tensors
    .map((t) => ({ t, m: /^(.*?)(\d+)\.weight$/.exec(t.name) }))
    .filter((x) => x.m && x.t.shape.length === 2)
    .map((x) => ({ ...x.t, prefix: x.m![1], index: Number(x.m![2]) }));
  if (weights.length < 2) return null;
  const prefix = weights[0].prefix;
  if (weights.some((w) => w.prefix !== prefix)) return null;
  weights.sort((a, b) => a.index - b.index);
  for (let i = 1; i < weights.length; i++) if (weights[i].shape[1] !== weights[i - 1].shape[0]) return null;
  const byName = new Map(tensors.map((t) => [t.name, t.shape]));
  const biasOf = (w: { index: number; shape: number[] }) => byName.get(`${prefix}${w.index}.bias`);
  const withBias = weights.filter((w) => biasOf(w)?.length === 1 && biasOf(w)![0] === w.shape[0]).length;
  if (withBias !== 0 && withBias !== weights.length) return null; // mixed: not one of ours
  const names: Record<string, string> = {};
  weights.forEach((w, i) => {
    names[`layers.${i}.weight`] = w.name;
    if (withBias) names[`layers.${i}.bias`] = `${prefix}${w.index}.bias`;
  });
  return {
    kind: 'mlp',
    inputDim: weights[0].shape[1],
    hidden: weights.slice(0, -1).map((w) => w.shape[0]),
    numClasses: weights.at(-1)!.shape[0],
    bias: withBias > 0,
    names,
  };
}
