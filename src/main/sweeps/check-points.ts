import { applyConfigOverrides } from '../../shared/domain/config-keys';
import { parseSetting } from '../../shared/domain/config-overrides';
import { preset } from '../../shared/domain/presets';
import { parseTrainConfig } from '../ml/validate-config';
import type { GridPoint } from './grid';

/** A point's overrides as runs.start takes them: `--grid` values parse as `--set` values do. */
export const pointOverrides = (set: Record<string, string>) =>
  Object.fromEntries(Object.entries(set).map(([k, v]) => parseSetting(`${k}=${v}`)));

/**
 * Every grid combination validated on the preset before anything is queued or submitted: an unknown
 * preset or setting (named with the nearest ones) or a bad value in the last combination starts nothing.
 */
export function checkSweepPoints(presetName: string, points: readonly GridPoint[]): void {
  const base = preset(presetName);
  const sets = new Set(points.map((p) => JSON.stringify(p.set)));
  for (const s of sets) parseTrainConfig(applyConfigOverrides(base, pointOverrides(JSON.parse(s) as Record<string, string>)));
}
