import { describe, expect, it } from 'vitest';
import { lttbIndices } from './downsample';

describe('lttbIndices', () => {
  it('returns everything when there is nothing to drop', () => {
    expect(lttbIndices([0, 1, 2], [5, 6, 7], 10)).toEqual([0, 1, 2]);
  });

  it('keeps the requested count, both ends, in order, and the spikes', () => {
    const n = 10_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => (i === 1234 ? 100 : i === 8765 ? -100 : Math.sin(i / 500)));
    const kept = lttbIndices(x, y, 500);
    expect(kept).toHaveLength(500);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(n - 1);
    expect(kept.every((v, i) => i === 0 || v > kept[i - 1])).toBe(true);
    expect(kept).toContain(1234);
    expect(kept).toContain(8765);
  });

  it('on a straight line any choice is exact: the kept points still lie on it', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const kept = lttbIndices(
      x,
      x.map((v) => 2 * v + 1),
      50,
    );
    expect(kept.every((i) => 2 * x[i] + 1 === 2 * i + 1)).toBe(true);
  });
});
