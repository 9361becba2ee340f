import { describe, expect, it } from 'vitest';
import { classMeanGeometry } from './collapse-geometry';

const split = (rows: number[][], labels: number[]) => ({
  features: Float64Array.from(rows.flat()),
  labels,
  n: rows.length,
  m: rows[0].length,
});

describe('class-mean geometry', () => {
  it('three collapsed classes on an equilateral triangle stay equilateral, fully explained', () => {
    const s3 = Math.sqrt(3) / 2;
    const verts = [
      [1, 0, 0, 5],
      [-0.5, s3, 0, 5],
      [-0.5, -s3, 0, 5],
    ];
    const g = classMeanGeometry(split([...verts, ...verts], [0, 1, 2, 0, 1, 2]), 3);
    const d = (a: number, b: number) => Math.hypot(g.points[a][0] - g.points[b][0], g.points[a][1] - g.points[b][1]);
    expect(d(0, 1)).toBeCloseTo(Math.sqrt(3), 10);
    expect(d(1, 2)).toBeCloseTo(Math.sqrt(3), 10);
    expect(d(0, 2)).toBeCloseTo(Math.sqrt(3), 10);
    expect(g.explained).toBeCloseTo(1, 12);
  });

  it('preserves distances between means when they already span two dimensions, and skips absent classes', () => {
    // means (0,0,1), (4,0,1), (0,3,1): a 3-4-5 triangle; class 1 has no samples
    const g = classMeanGeometry(
      split(
        [
          [0, 0, 1],
          [4, 0, 1],
          [0, 3, 1],
          [0, 0, 1],
        ],
        [0, 2, 3, 0],
      ),
      4,
    );
    expect(g.classes).toEqual([0, 2, 3]);
    const d = (a: number, b: number) => Math.hypot(g.points[a][0] - g.points[b][0], g.points[a][1] - g.points[b][1]);
    expect([d(0, 1), d(0, 2), d(1, 2)].map((x) => +x.toFixed(10)).sort()).toEqual([3, 4, 5]);
  });

  it('more classes than features: the m x m route keeps the distances; only the top-K classes are drawn', () => {
    // four means at the corners of a 2 x 1 rectangle in m = 2 (C > m), class 0 the most frequent
    const rows = [
      [0, 0],
      [0, 0],
      [0, 0],
      [2, 0],
      [2, 0],
      [2, 1],
      [0, 1],
    ];
    const labels = [0, 0, 0, 1, 1, 2, 3];
    const g = classMeanGeometry(split(rows, labels), 4);
    expect(g.classes).toEqual([0, 1, 2, 3]);
    const d = (a: number, b: number) => Math.hypot(g.points[a][0] - g.points[b][0], g.points[a][1] - g.points[b][1]);
    expect([d(0, 1), d(1, 2), d(0, 2), d(2, 3)].map((x) => +x.toFixed(10))).toEqual([2, 1, +Math.sqrt(5).toFixed(10), 2]);
    expect(g.explained).toBeCloseTo(1, 12);
    expect(classMeanGeometry(split(rows, labels), 4, 2).classes).toEqual([0, 1]);
  });
});
