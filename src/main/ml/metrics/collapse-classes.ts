import { invalid } from '../../../shared/api/errors';

/** K of METRICS.md's many-classes rule: the collapse keys use at most this many classes. */
export const DEFAULT_COLLAPSE_TOP_K = 1024;

/** The classes the collapse keys use on one split (METRICS.md, "Many classes"). */
export interface CollapseClasses {
  /** samples per class, length C */
  counts: Float64Array;
  /** index of each class among the collapse classes, -1 when absent or not among the top K (length C) */
  slot: Int32Array;
  /** collapse class ids, ascending */
  classes: Int32Array;
  /** classes with at least one sample in the split */
  present: number;
  topK: number;
  /** more than K classes are present, so only the top K are used (and nc4's argmax runs over their logits) */
  restricted: boolean;
  /** samples of the collapse classes (the n of nc1, nc4) */
  samples: number;
}

export function checkTopK(topK: number): number {
  if (!Number.isSafeInteger(topK) || topK < 2) {
    throw invalid(`collapse_top_k must be a whole number >= 2 (got ${topK})`, { collapse_top_k: topK });
  }
  return topK;
}

/** Every present class when at most K are present, else the K most frequent (ties: lower class id). */
export function collapseClasses(labels: ArrayLike<number>, n: number, C: number, topK = DEFAULT_COLLAPSE_TOP_K): CollapseClasses {
  checkTopK(topK);
  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  let present: number[] = [];
  for (let c = 0; c < C; c++) if (counts[c] > 0) present.push(c);
  const restricted = present.length > topK;
  if (restricted)
    present = present
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, topK)
      .sort((a, b) => a - b);
  const slot = new Int32Array(C).fill(-1);
  let samples = 0;
  present.forEach((c, a) => {
    slot[c] = a;
    samples += counts[c];
  });
  const all = counts.reduce((k, v) => k + (v > 0 ? 1 : 0), 0);
  return { counts, slot, classes: Int32Array.from(present), present: all, topK, restricted, samples };
}
