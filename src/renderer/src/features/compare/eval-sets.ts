import type { MetricDescriptor } from '../../../../shared/domain/metrics';
import { crossLingualPoints } from '../../../../shared/domain/cross-lingual';
import type { MetricSeries, Run } from '../../../../shared/domain/types';
import { choiceValue, EACH_SET, type Choice } from './compare-data';

// Named evaluation sets (METRICS.md): a language, a corpus, whose values are stored under its name as the split.
export { evalSetsIn } from '../../../../shared/domain/cross-lingual';

/** Keys of a set besides the catalogue's per-split ones: its loss and accuracy (METRICS.md). */
const SET_ONLY = [
  { key: 'loss', label: 'loss (per set)', logY: true },
  { key: 'acc', label: 'acc (per set)', logY: false },
];

/** Metrics offered per evaluation set: loss, acc, gap_loss, and every per-split key of the catalogue. */
export function setChoices(keys: readonly MetricDescriptor[]): Choice[] {
  const perSplit = keys.filter((k) => k.splits.includes('train') && k.splits.includes('test') && k.parts !== 'each');
  const gap = keys.filter((k) => k.key === 'gap_loss');
  return [
    ...SET_ONLY.map(({ key, label, logY }) => ({ value: choiceValue(key, EACH_SET), key, split: EACH_SET, label, logY })),
    ...[...gap, ...perSplit].map((k) => ({
      value: choiceValue(k.key, EACH_SET),
      key: k.key,
      split: EACH_SET,
      label: `${k.key} (per set)`,
      logY: k.key === 'gap_loss' ? false : k.logScale,
      parts: k.parts,
    })),
  ];
}

export { CROSS_X, CROSS_Y, type CrossX, type CrossY, type CrossLingualData } from '../../../../shared/domain/cross-lingual';

/** The cross-lingual panel's points for the chosen runs (labelled "id name", as runLabel does). */
export const crossLingualData = (all: readonly MetricSeries[], runs: readonly Run[], sets: readonly string[], x: string, y: string) =>
  crossLingualPoints(all, runs, sets, x, y);
