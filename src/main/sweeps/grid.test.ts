import { describe, expect, it } from 'vitest';
import { arraySpec, expandGrid, parseArraySpec, parseGrid, parseSeeds, pointLabel } from './grid';

describe('sweep grid', () => {
  it('expands axes x seeds in a stable order', () => {
    const axes = parseGrid(['dataset.p=11,13', 'model.width=8,16']);
    const pts = expandGrid(axes, parseSeeds('0-1'));
    expect(pts).toHaveLength(8);
    expect(pts[0]).toEqual({ index: 0, set: { 'dataset.p': '11', 'model.width': '8' }, seed: 0 });
    expect(pts[7]).toEqual({ index: 7, set: { 'dataset.p': '13', 'model.width': '16' }, seed: 1 });
    expect(pointLabel(pts[3])).toBe('dataset.p=11 model.width=16 seed=1');
  });

  it('keeps commas inside brackets, braces and quotes', () => {
    expect(parseGrid(['model.hidden=[64,128],[256]', 'name="a,b",c'])).toEqual([
      ['model.hidden', ['[64,128]', '[256]']],
      ['name', ['"a,b"', 'c']],
    ]);
  });

  it('keeps hostile values as data', () => {
    expect(parseGrid(['optimizer.lr=1; rm -rf ~'])).toEqual([['optimizer.lr', ['1; rm -rf ~']]]);
  });

  it('refuses malformed grids and seeds, naming the argument', () => {
    expect(() => parseGrid(['lr'])).toThrow(/'lr' is not key=v1/);
    expect(() => parseGrid(['a;b=1'])).toThrow(/not a dotted setting path/);
    expect(() => parseGrid(['a=1', 'a=2'])).toThrow(/twice/);
    expect(() => parseGrid(['a=1,,2'])).toThrow(/empty value/);
    expect(() => parseGrid(['seed=1,2'])).toThrow(/--seeds/);
    expect(() => parseSeeds('3-1')).toThrow(/backwards/);
    expect(() => parseSeeds('x')).toThrow(/--seeds 'x'/);
  });

  it('parses seed lists', () => {
    expect(parseSeeds('0-2,7,1')).toEqual([0, 1, 2, 7]);
  });

  it('round-trips Slurm array specs', () => {
    expect(arraySpec([9, 0, 1, 2, 3, 7, 10])).toBe('0-3,7,9-10');
    expect(parseArraySpec('0-3,7,9-10')).toEqual([0, 1, 2, 3, 7, 9, 10]);
    expect(parseArraySpec('[2-3%1]')).toEqual([2, 3]);
    expect(parseArraySpec('0-6:3')).toEqual([0, 3, 6]);
  });
});
