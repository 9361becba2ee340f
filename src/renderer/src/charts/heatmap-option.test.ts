import { describe, expect, it } from 'vitest';
import { heatmapOption } from './heatmap-option';

describe('heatmapOption', () => {
  it('puts the first row on top and spans the colour scale over the values', () => {
    const o = heatmapOption({
      x: [10, 20],
      y: ['embed', '0.qkv'],
      cells: [
        [0, 0, 2],
        [1, 1, -1],
        [1, 0, 5],
      ],
      xName: 'step',
      valueName: 'fro_norm',
    }) as {
      xAxis: { data: string[] };
      yAxis: { data: string[]; inverse: boolean };
      visualMap: { min: number; max: number };
      series: { type: string; data: number[][] }[];
    };
    expect(o.xAxis.data).toEqual(['10', '20']);
    expect(o.yAxis).toMatchObject({ data: ['embed', '0.qkv'], inverse: true });
    expect(o.visualMap).toMatchObject({ min: -1, max: 5 });
    expect(o.series[0].type).toBe('heatmap');
    expect(o.series[0].data).toHaveLength(3);
  });

  it('keeps a usable scale when every value is equal or there are none', () => {
    const one = heatmapOption({ x: [0], y: ['a'], cells: [[0, 0, 3]], xName: 'step', valueName: 'k' }) as {
      visualMap: { min: number; max: number };
    };
    expect(one.visualMap).toMatchObject({ min: 3, max: 4 });
    const none = heatmapOption({ x: [], y: [], cells: [], xName: 'step', valueName: 'k' }) as { visualMap: { min: number; max: number } };
    expect(none.visualMap).toMatchObject({ min: 0, max: 1 });
  });
});
