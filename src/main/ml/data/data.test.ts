import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../../shared/api/errors';
import { applyLabelNoise } from './dataset';
import { gaussianMixture } from './gaussian-mixture';
import { modularArithmetic, modularLabel } from './modular';
import { createRng } from './prng';
import { parityLabel, sparseParity } from './sparse-parity';

describe('prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(1);
    const b = createRng(1);
    const c = createRng(2);
    const xs = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(xs);
    expect(c.next()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('normal draws have mean ~0 and variance ~1', () => {
    const r = createRng(7);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });
});

describe('modular arithmetic', () => {
  it('labels small cases as worked out by hand (p = 5)', () => {
    expect(modularLabel('a+b', 3, 4, 5)).toBe(2); // 7 mod 5
    expect(modularLabel('a-b', 1, 3, 5)).toBe(3); // -2 mod 5
    expect(modularLabel('a*b', 3, 4, 5)).toBe(2); // 12 mod 5
    expect(modularLabel('a/b', 3, 4, 5)).toBe(2); // 4^-1 = 4 (16 = 1 mod 5), 3 * 4 = 12 = 2
    expect(modularLabel('a/b', 1, 2, 5)).toBe(3); // 2^-1 = 3
    expect(modularLabel('a^2+b^2', 2, 3, 5)).toBe(3); // 13 mod 5
    expect(modularLabel('a^2+ab+b^2', 2, 3, 5)).toBe(4); // 4 + 6 + 9 = 19
    expect(modularLabel('a^3+ab', 2, 3, 5)).toBe(4); // 8 + 6 = 14
  });

  it('covers every pair exactly once, split by the training fraction', () => {
    const ds = modularArithmetic(0, { p: 5, op: 'a+b', trainFraction: 0.4 });
    expect(ds.train.n).toBe(10);
    expect(ds.test.n).toBe(15);
    expect(ds.numClasses).toBe(5);
    expect(ds.inputDim).toBe(10);
    const seen = new Set<string>();
    for (const s of [ds.train, ds.test]) {
      for (let i = 0; i < s.n; i++) {
        const [a, b] = [s.inputs[2 * i], s.inputs[2 * i + 1]];
        seen.add(`${a},${b}`);
        expect(s.labels[i]).toBe((a + b) % 5);
      }
    }
    expect(seen.size).toBe(25);
  });

  it('division excludes b = 0 and needs a prime p', () => {
    const ds = modularArithmetic(0, { p: 5, op: 'a/b', trainFraction: 0.5 });
    expect(ds.train.n + ds.test.n).toBe(20);
    for (let i = 0; i < ds.train.n; i++) expect(ds.train.inputs[2 * i + 1]).not.toBe(0);
    expect(() => modularArithmetic(0, { p: 6, op: 'a/b' })).toThrow(/dataset.p must be prime/);
    expect(() => modularArithmetic(0, { p: 6, op: 'a*b' })).not.toThrow();
  });

  it('rejects a training fraction outside (0, 1)', () => {
    for (const f of [0, 1, -0.2, 1.5]) {
      expect(() => modularArithmetic(0, { trainFraction: f })).toThrow(PlateauError);
      expect(() => modularArithmetic(0, { trainFraction: f })).toThrow(/trainFraction must be in \(0, 1\)/);
    }
  });

  it('is deterministic from the seed', () => {
    const a = modularArithmetic(3, { p: 11 });
    const b = modularArithmetic(3, { p: 11 });
    const c = modularArithmetic(4, { p: 11 });
    expect(Array.from(a.train.inputs)).toEqual(Array.from(b.train.inputs));
    expect(Array.from(a.train.inputs)).not.toEqual(Array.from(c.train.inputs));
  });

  it('adds label noise to the training split only', () => {
    const clean = modularArithmetic(0, { p: 11 });
    const noisy = modularArithmetic(0, { p: 11, labelNoise: 0.5 });
    let changed = 0;
    for (let i = 0; i < clean.train.n; i++) if (clean.train.labels[i] !== noisy.train.labels[i]) changed++;
    expect(changed).toBe(Math.round(0.5 * clean.train.n));
    expect(Array.from(noisy.test.labels)).toEqual(Array.from(clean.test.labels));
    expect(() => modularArithmetic(0, { p: 11, normalize: 'standardize' })).toThrow(/normalize/);
  });
});

describe('label noise', () => {
  it('always moves a label to a different class', () => {
    const labels = new Int32Array(100).fill(2);
    const changed = applyLabelNoise(labels, 3, 0.3, createRng(1));
    expect(changed.length).toBe(30);
    for (const i of changed) expect(labels[i]).not.toBe(2);
    expect(labels.filter((l) => l === 2).length).toBe(70);
  });
});

describe('gaussian mixture', () => {
  it('has balanced classes around means of the requested norm', () => {
    const ds = gaussianMixture(0, { classes: 3, dim: 5, separation: 4, trainSize: 300, testSize: 30 });
    expect(ds.train.inputs.length).toBe(300 * 5);
    const counts = [0, 0, 0];
    for (const l of ds.train.labels) counts[l]++;
    expect(counts).toEqual([100, 100, 100]);
    for (const mu of ds.meta.means as number[][]) expect(Math.hypot(...mu)).toBeCloseTo(4, 4);
  });

  it('standardizes with training statistics', () => {
    const ds = gaussianMixture(1, { dim: 3, trainSize: 500, normalize: 'standardize' });
    for (let j = 0; j < 3; j++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < 500; i++) {
        s += ds.train.inputs[i * 3 + j];
        s2 += ds.train.inputs[i * 3 + j] ** 2;
      }
      expect(s / 500).toBeCloseTo(0, 4);
      expect(s2 / 500).toBeCloseTo(1, 4);
    }
  });
});

describe('sparse parity', () => {
  it('labels are the parity of the relevant bits', () => {
    const ds = sparseParity(0, { bits: 8, relevant: 3, trainSize: 64, testSize: 16 });
    const rel = ds.meta.relevant as number[];
    expect(rel.length).toBe(3);
    for (let i = 0; i < ds.train.n; i++) {
      const row = ds.train.inputs.subarray(i * 8, (i + 1) * 8);
      let prod = 1;
      for (const j of rel) prod *= row[j];
      expect(ds.train.labels[i]).toBe(prod < 0 ? 1 : 0);
    }
    expect(parityLabel([1, -1, -1], [0, 1, 2])).toBe(0);
    expect(parityLabel([-1, 1, 1], [0, 1, 2])).toBe(1);
    expect(() => sparseParity(0, { bits: 4, relevant: 5 })).toThrow(/relevant must be an integer in \[1, 4\]/);
  });
});
