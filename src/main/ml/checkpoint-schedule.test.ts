import { describe, expect, it } from 'vitest';
import { parseTrainConfig } from './validate-config';
import { checkpointSteps } from './checkpoint-schedule';
import { PRESETS } from '../../shared/domain/presets';

describe('checkpointSteps', () => {
  it('log-spaced steps per decade, first and last (hand-computed)', () => {
    // round(10^(j/2)) for j = 0..4: 1, 3, 10, 32, 100
    expect(checkpointSteps({ perDecade: 2, firstAndLast: true }, 120)).toEqual([0, 1, 3, 10, 32, 100, 120]);
  });

  it('a regular grid in epochs lands on epoch ends', () => {
    expect(checkpointSteps({ everyEpochs: 3, firstAndLast: false }, 40, 4)).toEqual([12, 24, 36]);
  });

  it('both edges of an intervention window are saved, in steps', () => {
    // 5 steps per epoch; window epochs 3..6: the end of epoch 2 (step 10) and of epoch 6 (step 30)
    expect(checkpointSteps({ firstAndLast: false }, 50, 5, [{ fromEpoch: 3, toEpoch: 6 }])).toEqual([10, 30]);
    // an open-ended window has only its start
    expect(checkpointSteps({ firstAndLast: false }, 50, 5, [{ fromEpoch: 3 }])).toEqual([10]);
    // a window in steps 7..23 (epoch 1 on): step 6 (before its first), 23 (its last), and 0 (epoch 1's edge)
    expect(checkpointSteps({ firstAndLast: false }, 50, 5, [{ fromEpoch: 1, fromStep: 7, toStep: 23 }])).toEqual([0, 6, 23]);
  });

  it('nc-fashion-mnist measures every 2nd epoch through the terminal phase, besides the log-spaced steps', () => {
    const c = parseTrainConfig(PRESETS['nc-fashion-mnist']!.config);
    const perEpoch = Math.ceil(60_000 / 128); // 469 updates per epoch, 37520 in 80 epochs
    const steps = checkpointSteps(c.checkpoints, c.epochs * perEpoch, perEpoch);
    const grid = Array.from({ length: 40 }, (_, k) => (k + 1) * 2 * perEpoch); // epochs 2, 4, ..., 80 (the last)
    expect(steps).toEqual([0, 1, 10, 100, 1000, 10000, ...grid].sort((a, b) => a - b));
  });

  it('the interventions study reads every variant at its window end (400) and at 600 and 800', () => {
    const study = PRESETS['grokking-interventions']!.study!;
    for (const [variant, input] of Object.entries(study.variants)) {
      const c = parseTrainConfig(input);
      const steps = checkpointSteps(c.checkpoints, c.epochs, 1, c.interventions); // full batch: one step per epoch
      for (const s of [400, 600, 800]) expect(steps, variant).toContain(s);
    }
  });
});
