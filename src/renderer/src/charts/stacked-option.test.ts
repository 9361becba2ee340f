import { describe, expect, it } from 'vitest';
import { stackedOption } from './stacked-option';

describe('stackedOption', () => {
  const panels = [
    { title: 'test acc', series: [{ name: 'run 1', x: [1, 2, 3], y: [0.1, 0.5, 0.9] }] },
    { title: 'kappa', logY: true, series: [{ name: 'run 1', x: [1, 2, 3], y: [4, 0, 1] }] },
  ];

  it('makes one grid and one x axis per panel, all driven by the same zoom and pointer', () => {
    const o = stackedOption({ panels, xName: 'epoch' }) as any;
    expect(o.grid).toHaveLength(2);
    expect(o.xAxis.map((a: any) => a.gridIndex)).toEqual([0, 1]);
    expect(o.dataZoom[0].xAxisIndex).toEqual([0, 1]);
    expect(o.axisPointer.link).toEqual([{ xAxisIndex: 'all' }]);
    expect(o.grid[1].top).toBeGreaterThan(o.grid[0].top + o.grid[0].height);
    expect(o.xAxis[0].axisLabel.show).toBe(false); // only the bottom axis is labelled
  });

  it('puts each panel series on its own axes and drops points a log axis cannot show', () => {
    const o = stackedOption({ panels, xName: 'epoch' }) as any;
    expect(o.series[1]).toMatchObject({
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: [
        [1, 4],
        [3, 1],
      ],
    });
  });

  it('draws a lone point as a symbol, on a linear x axis when a log one would hide it', () => {
    const o = stackedOption({
      panels: [{ title: 'test acc', series: [{ name: 'import', x: [0], y: [0.5] }] }],
      xName: 'epoch',
      logX: true,
    }) as any;
    expect([o.xAxis[0].type, o.series[0].data, o.series[0].showSymbol]).toEqual(['value', [[0, 0.5]], true]);
    const many = stackedOption({ panels, xName: 'epoch', logX: true }) as any;
    expect([many.xAxis.map((a: any) => a.type), many.series.map((s: any) => s.showSymbol)]).toEqual([
      ['log', 'log'],
      [false, false],
    ]);
  });

  it('smooths with the shared EMA', () => {
    const o = stackedOption({ panels: [panels[0]], xName: 'epoch', smoothing: 0.5 }) as any;
    // ema([.1,.5,.9], .5) = [.1, (.025+.25)/.75, ...]
    expect(o.series[0].data[1][1]).toBeCloseTo(0.275 / 0.75, 12);
  });

  it('draws a mean +- std band as a stacked pair (lower, then width)', () => {
    const o = stackedOption({
      panels: [{ ...panels[0], bands: { 'run 1': { lower: [0, 0.4, 0.8], upper: [0.2, 0.6, 1] } } }],
      xName: 'epoch',
    }) as any;
    const band = o.series.filter((s: any) => s.stack);
    expect(band).toHaveLength(2);
    expect(band[1].data.map((d: number[]) => +d[1].toFixed(12))).toEqual([0.2, 0.2, 0.2]);
  });

  it('falls back to a linear y axis per panel when a log one has no positive value to show', () => {
    const gap = { title: 'gap', logY: true, series: [{ name: 'r', x: [1, 2], y: [0, -0.5] }] };
    const o = stackedOption({ panels: [panels[1], gap], xName: 'epoch' }) as any;
    expect(o.yAxis.map((a: any) => a.type)).toEqual(['log', 'value']);
    expect(o.series[1].data).toEqual([
      [1, 0],
      [2, -0.5],
    ]);
  });

  it('leaves the plain wheel to the page: zooms on ctrl+wheel, pans on shift+wheel', () => {
    const o = stackedOption({ panels, xName: 'epoch' }) as any;
    expect(o.dataZoom[0]).toMatchObject({ type: 'inside', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: 'shift' });
  });

  it('formats the tooltip to 4 significant digits under each panel title, without the band series', () => {
    const o = stackedOption({ panels, xName: 'epoch' }) as any;
    const p = (axisIndex: number, seriesId: string, name: string, value: number[]) => ({
      axisIndex,
      seriesId,
      seriesName: name,
      marker: '*',
      value,
    });
    const html = o.tooltip.formatter([
      p(1, 'line:1:run 1', 'run <1>', [3, 0.000123456]),
      p(0, 'line:0:run 1', 'run <1>', [3, 0.1 + 0.2]),
      p(0, 'band:0:run 1:lower', 'run <1>', [3, 0.25]),
    ]);
    expect(html.split('<br/>')).toEqual([
      'epoch 3',
      '<b>test acc</b>',
      '*run &lt;1&gt;&nbsp;&nbsp;<b>0.3</b>',
      '<b>kappa</b>',
      '*run &lt;1&gt;&nbsp;&nbsp;<b>1.235e-4</b>',
    ]);
  });
});
