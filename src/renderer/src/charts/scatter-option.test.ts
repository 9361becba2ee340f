import { describe, expect, it } from 'vitest';
import { scatterOption } from './scatter-option';

describe('scatterOption', () => {
  const points = [
    { name: '1 grok s0', x: 0.5, y: 0.9, counted: true },
    { name: '2 grok s1', x: 2, y: 0.1, counted: true },
    { name: '3 grok s2', x: 1, y: 0.4, counted: false },
  ];

  it('labels every point with its run and draws runs left out of the correlations as a hollow series', () => {
    const o = scatterOption({ points, xName: 'kappa', yName: 'gap', title: 't' }) as any;
    expect(o.series.map((s: any) => [s.name, s.data.map((d: any) => d.value)])).toEqual([
      [
        'finished',
        [
          [0.5, 0.9, '1 grok s0'],
          [2, 0.1, '2 grok s1'],
        ],
      ],
      ['not finished (not counted)', [[1, 0.4, '3 grok s2']]],
    ]);
    expect(o.series[0].label.show).toBe(true);
    expect(o.series[0].label.formatter(o.series[0].data[1])).toBe('2 grok s1');
    // x in [0.5, 2]: the name of the point at 2 (right of the middle, 1.25) goes to its left
    expect([...o.series[0].data, ...o.series[1].data].map((d: any) => d.label.position)).toEqual(['right', 'left', 'right']);
    expect(o.series[1].itemStyle.color).toBe('transparent');
    expect(o.legend.show).toBe(true);
  });

  it('formats the tooltip to 4 significant digits and takes a log x axis only when every x is positive', () => {
    const o = scatterOption({ points, xName: 'kappa', yName: 'gap', title: 't', logX: true }) as any;
    expect(o.xAxis.type).toBe('log');
    expect(o.tooltip.formatter({ value: [1 / 3, 0.1 + 0.2, 'a<b'] })).toBe('a&lt;b<br/>kappa: 0.3333<br/>gap: 0.3');
    const neg = scatterOption({ points: [{ ...points[0], x: -1 }], xName: 'x', yName: 'y', title: '', logX: true }) as any;
    expect([neg.xAxis.type, neg.series.length, neg.legend.show]).toEqual(['value', 1, false]);
  });
});
