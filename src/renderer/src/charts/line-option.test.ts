import { describe, expect, it } from 'vitest';
import { lineOption } from './line-option';

describe('lineOption', () => {
  it('pairs x and y into points, one series each', () => {
    const o = lineOption({ series: [{ name: 'a', x: [0, 1, 2], y: [3, 4, 5] }], xName: 'step', yName: 'loss' }) as any;
    expect(o.series).toHaveLength(1);
    expect(o.series[0].data).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(o.xAxis.type).toBe('value');
  });

  it('drops points a log axis cannot show, and non-finite values', () => {
    const o = lineOption({
      series: [{ name: 'a', x: [0, 1, 10, 100], y: [1, NaN, 0.5, -1] }],
      xName: 'step',
      yName: 'loss',
      logX: true,
      logY: true,
    }) as any;
    expect(o.xAxis.type).toBe('log');
    expect(o.series[0].data).toEqual([[10, 0.5]]);
  });

  it("draws a lone point as a symbol, and keeps an import's one checkpoint at step 0 on a linear axis", () => {
    const o = lineOption({
      series: [
        { name: 'train acc', x: [0], y: [0.75] },
        { name: 'test acc', x: [0], y: [0.5] },
      ],
      xName: 'epoch',
      yName: 'accuracy',
      logX: true,
    }) as any;
    expect(o.xAxis.type).toBe('value');
    expect(o.series.map((s: any) => [s.data, s.showSymbol])).toEqual([
      [[[0, 0.75]], true],
      [[[0, 0.5]], true],
    ]);
    const loss = lineOption({ series: [{ name: 'loss', x: [0, 1, 2], y: [0, 0, 0] }], xName: 'epoch', yName: 'loss', logY: true }) as any;
    expect([loss.yAxis.type, loss.series[0].data.length, loss.series[0].showSymbol]).toEqual(['value', 3, false]);
    const training = lineOption({ series: [{ name: 'a', x: [0, 1, 10], y: [1, 2, 3] }], xName: 'epoch', yName: 'loss', logX: true }) as any;
    expect([training.xAxis.type, training.series[0].data]).toEqual([
      'log',
      [
        [1, 2],
        [10, 3],
      ],
    ]);
  });
});
