import type { ScheduleConfig } from '../../../shared/domain/train-config';

/** Learning rate for the update with 0-based index `step` out of `totalSteps`. */
export type LrSchedule = (step: number) => number;

export function makeSchedule(config: ScheduleConfig, baseLr: number, totalSteps: number): LrSchedule {
  if (config.kind === 'constant') return () => baseLr;
  const warm = config.warmupSteps;
  // linear ramp to baseLr over the first `warm` updates (update k gets (k+1)/warm)
  const warmup = (step: number) => baseLr * Math.min(1, (step + 1) / warm);
  switch (config.kind) {
    case 'linear-warmup':
      return warmup;
    case 'cosine': {
      const span = Math.max(1, totalSteps - warm);
      return (step) => {
        if (step < warm) return warmup(step);
        const progress = Math.min(1, (step - warm) / span);
        return baseLr * (config.minFactor + (1 - config.minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
      };
    }
    case 'step':
      return (step) => (step < warm ? warmup(step) : baseLr * config.gamma ** Math.floor((step - warm) / config.stepSize));
  }
}
