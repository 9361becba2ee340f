import { describe, expect, it } from 'vitest';
import { summarize, tQuantile, tTwoSidedMass } from './summary-stats';

describe('Student t quantiles', () => {
  it('match published table values', () => {
    // Two-sided 95% critical values from standard t tables, to the tables' 3 decimals.
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [9, 2.262],
      [10, 2.228],
      [29, 2.045],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df), `df ${df}`).toBeCloseTo(t, 3);
    // Closed forms: df 1 is Cauchy, tan(pi (p - 1/2)); df 2 is (2p - 1) / sqrt(2 p (1 - p)).
    expect(tQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 10);
    expect(tQuantile(0.975, 2)).toBeCloseTo(0.95 / Math.sqrt(2 * 0.975 * 0.025), 10);
    expect(tQuantile(0.995, 10)).toBeCloseTo(3.169, 3);
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.015, 3);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
    expect(tQuantile(0.975, 100_000)).toBeCloseTo(1.96, 3); // tends to the normal quantile
  });

  it('inverts the two-sided mass, and refuses what it cannot compute', () => {
    for (const df of [1, 2, 3, 6, 7, 50]) expect(tTwoSidedMass(tQuantile(0.975, df), df)).toBeCloseTo(0.95, 12);
    expect(() => tQuantile(1, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.975, 0)).toThrow(RangeError);
    expect(() => tQuantile(0.975, 2.5)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives mean, sample std (ddof 1), sem and the t interval, checked by hand', () => {
    // 0.7, 0.8, 0.9: mean 0.8, squared deviations 0.01 + 0 + 0.01 over n - 1 = 2 -> std 0.1,
    // sem 0.1 / sqrt(3) = 0.0577350, half width 4.3026527 * 0.0577350 = 0.2484138.
    const s = summarize([0.7, 0.8, 0.9])!;
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.8, 14);
    expect(s.std).toBeCloseTo(0.1, 14);
    expect(s.sem).toBeCloseTo(0.0577350269189626, 14);
    expect(s.ci95![0]).toBeCloseTo(0.5515862288249669, 12);
    expect(s.ci95![1]).toBeCloseTo(1.0484137711750332, 12);
    // 2 and 4: std sqrt(2), sem 1, so the interval is 3 -+ t(0.975, 1) = 3 -+ 12.7062.
    expect(summarize([2, 4])).toMatchObject({ n: 2, mean: 3, std: Math.SQRT2 });
    expect(summarize([2, 4])!.sem).toBeCloseTo(1, 14);
    expect(summarize([2, 4])!.ci95![1]).toBeCloseTo(15.7062047361747, 10);
  });

  it('leaves the spread empty for one value, ignores non-finite ones, and keeps precision far from zero', () => {
    expect(summarize([0.75])).toEqual({ n: 1, mean: 0.75, std: null, sem: null, ci95: null });
    expect(summarize([])).toBeNull();
    expect(summarize([NaN, Infinity])).toBeNull();
    expect(summarize([1, NaN, 3])!.n).toBe(2);
    expect(summarize([1e9 + 1, 1e9 + 2, 1e9 + 3])!.std).toBeCloseTo(1, 6);
  });
});
