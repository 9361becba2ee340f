import { describe, expect, it } from 'vitest';
import { classMeansOption, histogramOption, niceCeil } from './checkpoint-options';

type Opt = Record<string, any>;

describe('checkpoint chart options', () => {
  it('puts histogram bars at the bin centres of a value axis whose ticks are rounded', () => {
    const o = histogramOption('w', [-0.0873, -0.0291, 0.0291, 0.0873], [2, 5, 3]) as Opt;
    expect(o.xAxis.type).toBe('value');
    const data = o.series[0].data as number[][];
    expect(data.map((d) => d[0])).toEqual([-0.0582, 0, 0.0582]);
    expect(data.map((d) => d[1])).toEqual([2, 5, 3]);
    expect(o.xAxis.axisLabel.formatter(0.123456)).toBe('0.123');
    expect(o.tooltip.formatter({ data: data[0] })).toBe('[-0.0873, -0.0291): <b>2</b>');
  });

  it('keeps every class mean inside the square axes, named PC 1 and PC 2', () => {
    // one mean far out (norm 10) beside three near the origin: mean norm 3.25, the old 1.4x-mean limit was 4.55
    const o = classMeansOption({
      classes: [0, 1, 2, 3],
      points: [
        [10, 0],
        [1, 0],
        [0, 1],
        [-1, 0],
      ],
      explained: 0.9,
    }) as Opt;
    expect(o.xAxis.max).toBe(20); // 10 x 1.1, up to a nice end
    expect(o.yAxis.min).toBe(-20);
    expect([o.xAxis.name, o.yAxis.name]).toEqual(['PC 1', 'PC 2']);
    expect(o.xAxis.axisLabel.formatter(12.5)).toBe('13');
    for (const s of o.series) for (const [x, y] of s.data) expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(20);
    expect([0.13, 1.36 * 1.1, 2.2, 4.9, 7, 10].map(niceCeil)).toEqual([0.2, 2, 2.5, 5, 10, 10]);
  });
});
