import type { CheckpointScheduleConfig } from '../../shared/domain/train-config';

/**
 * Steps (optimizer updates completed; 0 = the init) at which to save, ascending:
 * every N steps, k log-spaced steps per decade (round(10^(j/k)), deduplicated), plus first and last.
 */
export function checkpointSteps(config: CheckpointScheduleConfig, totalSteps: number): number[] {
  const steps = new Set<number>();
  if (config.firstAndLast ?? true) {
    steps.add(0);
    steps.add(totalSteps);
  }
  if (config.everySteps) for (let s = config.everySteps; s <= totalSteps; s += config.everySteps) steps.add(s);
  if (config.perDecade) {
    for (let j = 0; ; j++) {
      const s = Math.round(10 ** (j / config.perDecade));
      if (s > totalSteps) break;
      steps.add(s);
    }
  }
  return [...steps].sort((a, b) => a - b);
}
