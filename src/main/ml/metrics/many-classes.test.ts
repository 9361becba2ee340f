import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runNumpyReference, worstDisagreement } from '../../bench/metrics-closed-form';
import { syntheticLmHead } from '../../bench/metrics-lm-head';
import { LM_NUMPY_REFERENCE_SCRIPT } from '../../bench/metrics-lm-numpy-reference';
import { computeDumpMetrics, computeSplitMetrics } from './closed-form';
import { featureRowsFrom } from './checkpoint-rows';
import { classGeometry, collapseFromPasses } from './collapse';
import { collapseClasses } from './collapse-classes';
import { firstPass } from './feature-scan';
import { secondPass } from './second-pass';
import { seededRandom } from './seeded-random';
import type { ChunkedSplit, FeatureSplit, LastLayer } from './types';

const hasNumpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function problem(seed: number, n: number, m: number, C: number) {
  const r = seededRandom(seed);
  const features = Float64Array.from({ length: n * m }, () => r.normal() * 1.5 + 0.3);
  const labels = Int32Array.from({ length: n }, () => r.int(C));
  const weight = Float64Array.from({ length: C * m }, () => r.normal() * 0.7);
  const bias = Float64Array.from({ length: C }, () => r.normal() * 0.2);
  return { split: { features, labels, n, m } as FeatureSplit, layer: { weight, bias, C, m } as LastLayer };
}

const FLATNESS = ['kappa', 'kappa_sigma', 'kappa_fam', 'hessian_trace', 'flatness_bound'];

function expectAllClose(a: Record<string, number>, b: Record<string, number>, rel: number): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    expect(Math.abs(a[k] - b[k]), `${k}: ${a[k]} vs ${b[k]}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(b[k]), 1e-12));
  }
}

describe('flatness at vocabulary scale', () => {
  // Independent routes: the C x C Gram (sum_c G_cc p_c - p^T G p) and the per-sample variance of W's rows.
  it('the variance route equals the Gram route on small C, kappa_sigma with a constant feature included', () => {
    const { split, layer } = problem(3, 300, 7, 9);
    for (let i = 0; i < split.n; i++) split.features[i * 7 + 4] = 2.5; // constant: folded into the bias
    const gram = computeSplitMetrics(split, layer, FLATNESS, { flatnessRoute: 'gram' }).values;
    const variance = computeSplitMetrics(split, layer, FLATNESS, { flatnessRoute: 'variance' }).values;
    expectAllClose(variance, gram, 1e-11);
    expect(gram.kappa).toBeGreaterThan(0);
  });

  it('a chunked source gives the in-memory values, and a short chunk is a clear error', () => {
    const { split, layer } = problem(5, 250, 6, 12);
    const chunked = (rows: number[]): ChunkedSplit => ({
      n: split.n,
      m: split.m,
      labels: split.labels,
      *chunks() {
        let start = 0;
        for (const r of rows) {
          yield split.features.slice(start * 6, (start + r) * 6);
          start += r;
        }
      },
    });
    const whole = computeSplitMetrics(split, layer, undefined, { collapseTopK: 5 }).values;
    expectAllClose(computeSplitMetrics(chunked([0, 1, 99, 0, 100, 50]), layer, undefined, { collapseTopK: 5 }).values, whole, 1e-12);
    expect(() => computeSplitMetrics(chunked([100, 100]), layer)).toThrow(/chunks hold 200 rows, expected n = 250/);
  });
});

describe('collapse keys on the K most frequent classes', () => {
  it('below K nothing changes; above K samples of other classes drop out (hand-built counts, ties to the lower id)', () => {
    const labels = [0, 0, 0, 1, 1, 2, 2, 3, 4, 4, 4, 4];
    const top = collapseClasses(labels, labels.length, 6, 3);
    expect(Array.from(top.classes)).toEqual([0, 1, 4]); // counts 3, 2, 2, 1, 4: classes 1 and 2 tie, 1 wins
    expect([top.present, top.samples, top.restricted]).toEqual([5, 9, true]);
    const all = collapseClasses(labels, labels.length, 6, 5);
    expect([Array.from(all.classes), all.restricted]).toEqual([[0, 1, 2, 3, 4], false]);
  });

  it('equals the collapse keys of the split cut to the top-K classes, with W and b cut to those rows', () => {
    const { split, layer } = problem(7, 400, 5, 10);
    const K = 4;
    const cls = collapseClasses(split.labels, split.n, layer.C, K);
    const keep = Array.from(cls.classes);
    const rows = [...Array(split.n).keys()].filter((i) => keep.includes(split.labels[i]));
    const m = split.m;
    const cut: FeatureSplit = {
      n: rows.length,
      m,
      features: Float64Array.from(rows.flatMap((i) => Array.from(split.features.subarray(i * m, (i + 1) * m)))),
      labels: Int32Array.from(rows, (i) => keep.indexOf(split.labels[i])),
    };
    const cutLayer: LastLayer = {
      C: K,
      m,
      weight: Float64Array.from(keep.flatMap((c) => Array.from(layer.weight.subarray(c * m, (c + 1) * m)))),
      bias: Float64Array.from(keep, (c) => layer.bias![c]),
    };
    const COLLAPSE = [
      'nc1',
      'nc2_equinorm_means',
      'nc2_equinorm_classifiers',
      'nc2_equiangular',
      'nc2_angle_std',
      'nc3',
      'nc4',
      'cdnv',
      'gnc2',
      'duality_cos_mean',
      'duality_cos_std',
    ];
    const got = computeSplitMetrics(split, layer, COLLAPSE, { collapseTopK: K }).values;
    expectAllClose(got, computeSplitMetrics(cut, cutLayer, COLLAPSE).values, 1e-10);
  });

  it('nc1 from the feature-space scatter equals nc1 from the class Gram', () => {
    const { split, layer } = problem(11, 500, 4, 9);
    const cls = collapseClasses(split.labels, split.n, layer.C);
    const first = firstPass(split, layer, { cls, route: 'gram', sigma: false });
    const geo = classGeometry(first);
    const nc1 = (scatter: 'classes' | 'features') => {
      const second = secondPass(split, first, { ...geo, invVar: null, gramSigma: null, collapse: true, scatter });
      return collapseFromPasses(first, geo, second, layer, new Set(['nc1'])).values.nc1;
    };
    expect(nc1('features')).toBeGreaterThan(0);
    expect(Math.abs(nc1('features') - nc1('classes'))).toBeLessThan(1e-10 * nc1('classes'));
  });

  // Independent route: the chunked float64 NumPy reference of the LM bench (BLAS products, explicit standardisation).
  it.skipIf(!hasNumpy)('the LM NumPy reference agrees on every head key with more classes present than K', () => {
    const dump = syntheticLmHead(600, 12, 300, 2);
    const ours = computeDumpMetrics(dump, undefined, { collapseTopK: 20 });
    expect(ours.collapse).toMatchObject({ collapse_top_k: 20, samples_used: expect.any(Number) });
    const ref = runNumpyReference(dump, () => {}, undefined, { script: LM_NUMPY_REFERENCE_SCRIPT, args: ['20'] });
    expect(ref).not.toBeNull();
    for (const key of Object.keys(ref!.values)) expect(typeof ours[key], key).toBe('number');
    expect(worstDisagreement(ours, ref!.values).rel).toBeLessThan(1e-8);
  });

  it('stored collapse rows record K and the classes present per split; other rows do not', () => {
    const train = problem(13, 200, 4, 8);
    const test = problem(14, 100, 4, 8);
    const rows = featureRowsFrom(
      { layer: train.layer, weights: [], train: train.split, test: test.split },
      { step: 1, epoch: null },
      new Set(['nc1', 'gnc2', 'kappa', 'perplexity']),
      { collapseTopK: 3 },
    );
    const details = (key: string, split: string) => rows.find((r) => r.key === key && r.split === split)?.details;
    expect(details('gnc2', 'test')).toEqual({ collapse_top_k: 3, classes_present: 8, classes_used: 3 });
    expect(details('nc1', 'train')).toMatchObject({ collapse_top_k: 3, classes_present: 8, classes_used: 3, geometry: expect.anything() });
    expect(details('kappa', 'train')).toBeUndefined();
    expect(
      rows
        .filter((r) => r.key === 'perplexity')
        .map((r) => r.split)
        .sort(),
    ).toEqual(['test', 'train']);
  });
});
