import { describe, expect, it } from 'vitest';
import { ema, kendallTau, meanStd, pearson } from './stats';

describe('stats', () => {
  it('ema: alpha 0 is the identity; a constant stays constant (debiased); a step is smoothed by hand-computed weights', () => {
    expect(ema([1, 5, 2], 0)).toEqual([1, 5, 2]);
    expect(ema([3, 3, 3, 3], 0.9).map((v) => +v.toFixed(12))).toEqual([3, 3, 3, 3]);
    // alpha 0.5: acc = .5, then .25 + 1.5 = 1.75 ; weight = .5, then .75 -> [1, 7/3]
    expect(ema([1, 3], 0.5)).toEqual([1, 1.75 / 0.75]);
  });

  it('pearson on hand-computed cases', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // dx = -1.5,-.5,.5,1.5 ; dy = -1.5,.5,-.5,1.5 -> sxy = 2.25-.25-.25+2.25 = 4, sxx = syy = 5
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('kendall tau-b on hand-computed cases, with ties', () => {
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12); // 5 concordant, 1 discordant
    expect(kendallTau([1, 2, 3], [3, 2, 1])).toBe(-1);
    // ties in x: pairs (1,2) tie in x -> C=2 (1-3, 2-3), D=0, tiesX=1: tau-b = 2 / sqrt(3 * 2)
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
  });

  it('meanStd across series, population std', () => {
    expect(
      meanStd([
        [1, 2],
        [3, 6],
      ]),
    ).toEqual({ mean: [2, 4], std: [1, 2] });
  });
});
