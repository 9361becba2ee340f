import { describe, expect, it } from 'vitest';
import { diffTensors, summarize } from './tensor-summary';

describe('tensor summaries', () => {
  it('computes moments, norm and a histogram by hand', () => {
    const s = summarize('w', { shape: [2, 2], data: [1, 2, 3, 4] }, 2);
    expect(s).toMatchObject({ size: 4, mean: 2.5, min: 1, max: 4, froNorm: Math.sqrt(30) });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.histogram).toEqual({ edges: [1, 2.5, 4], counts: [2, 2] });
  });

  it('diffs layers: distance, relative distance, cosine; unmatched names and shapes listed', () => {
    const a = {
      w: { shape: [2], data: [3, 4] },
      only_a: { shape: [1], data: [1] },
      z: { shape: [2], data: [0, 0] },
      s: { shape: [2], data: [1, 1] },
    };
    const b = {
      w: { shape: [2], data: [4, 3] },
      only_b: { shape: [1], data: [1] },
      z: { shape: [2], data: [1, 0] },
      s: { shape: [1, 2], data: [1, 1] },
    };
    const { layers, unmatched } = diffTensors(a, b);
    const w = layers.find((l) => l.name === 'w')!;
    expect(w.distance).toBeCloseTo(Math.SQRT2, 12);
    expect(w.relative).toBeCloseTo(Math.SQRT2 / 5, 12);
    expect(w.cosine).toBeCloseTo(24 / 25, 12);
    expect(layers.find((l) => l.name === 'z')).toMatchObject({ distance: 1, relative: 0, cosine: null });
    expect(unmatched).toEqual(['only_a', 'only_b', 's']);
  });
});
