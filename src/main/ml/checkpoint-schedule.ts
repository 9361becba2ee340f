import type { CheckpointScheduleConfig, InterventionConfig } from '../../shared/domain/train-config';

/**
 * Steps (optimizer updates completed; 0 = the init) at which to save, ascending: every N steps, every N
 * epochs, k log-spaced steps per decade (round(10^(j/k)), deduplicated), first and last, and both edges of
 * every intervention window (the end of the epoch before it starts and of its last epoch; for a window in
 * steps, the step before its first and its last), so a measure
 * at the window's end is read, not interpolated.
 */
export function checkpointSteps(
  config: CheckpointScheduleConfig,
  totalSteps: number,
  stepsPerEpoch = 1,
  interventions: readonly Pick<InterventionConfig, 'fromEpoch' | 'toEpoch' | 'fromStep' | 'toStep'>[] = [],
): number[] {
  const steps = new Set<number>();
  const add = (s: number) => s >= 0 && s <= totalSteps && steps.add(s);
  if (config.firstAndLast ?? true) {
    add(0);
    add(totalSteps);
  }
  if (config.everySteps) for (let s = config.everySteps; s <= totalSteps; s += config.everySteps) add(s);
  if (config.everyEpochs) for (let e = config.everyEpochs; e * stepsPerEpoch <= totalSteps; e += config.everyEpochs) add(e * stepsPerEpoch);
  if (config.perDecade) {
    for (let j = 0; ; j++) {
      const s = Math.round(10 ** (j / config.perDecade));
      if (s > totalSteps) break;
      add(s);
    }
  }
  for (const w of interventions) {
    add((w.fromEpoch - 1) * stepsPerEpoch);
    if (w.toEpoch !== undefined) add(w.toEpoch * stepsPerEpoch);
    if (w.fromStep !== undefined) add(w.fromStep - 1);
    if (w.toStep !== undefined) add(w.toStep);
  }
  return [...steps].sort((a, b) => a - b);
}
