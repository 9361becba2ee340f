import { describe, expect, it } from 'vitest';
import { lineOption } from './line-option';

describe('lineOption', () => {
  it('pairs x and y into points, one series each', () => {
    const o = lineOption({ series: [{ name: 'a', x: [0, 1, 2], y: [3, 4, 5] }], xName: 'step', yName: 'loss' }) as any;
    expect(o.series).toHaveLength(1);
    expect(o.series[0].data).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(o.xAxis.type).toBe('value');
  });

  it('drops points a log axis cannot show, and non-finite values', () => {
    const o = lineOption({ series: [{ name: 'a', x: [0, 1, 10, 100], y: [1, NaN, 0.5, -1] }], xName: 'step', yName: 'loss', logX: true, logY: true }) as any;
    expect(o.xAxis.type).toBe('log');
    expect(o.series[0].data).toEqual([[10, 0.5]]);
  });
});
