import { resolve } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { computeDumpMetrics } from '../ml/metrics/closed-form';
import { parseFeatureDump, readFeatureDump } from './feature-dump';
import type { NumericArray } from './ndarray';
import { encodeNpy } from './npy';
import { encodeSafetensors } from './safetensors';

type Arrays = Record<string, { shape: number[]; data: NumericArray }>;

const base = (): Arrays => ({
  features: { shape: [4, 3], data: new Float32Array([1, 0, 2, 0, 1, 1, 3, 1, 0, 2, 2, 2]) },
  labels: { shape: [4], data: new Int32Array([0, 1, 1, 0]) },
  weight: { shape: [2, 3], data: new Float32Array([0.5, -1, 0.2, -0.3, 0.8, 0.1]) },
  bias: { shape: [2], data: new Float32Array([0.1, -0.1]) },
  test_features: { shape: [2, 3], data: new Float64Array([1, 1, 1, 0, 2, 1]) },
  test_labels: { shape: [2], data: new Int32Array([1, 0]) },
});

const npz = (arrays: Arrays) =>
  zipSync(Object.fromEntries(Object.entries(arrays).map(([k, a]) => [`${k}.npy`, encodeNpy(a.shape, a.data)])));

function expectDumpError(arrays: Arrays, pattern: RegExp, array?: string): void {
  try {
    parseFeatureDump(npz(arrays), 'dump.npz');
  } catch (err) {
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(/^dump\.npz: /);
    expect((err as Error).message).toMatch(pattern);
    if (array) expect((err as PlateauError).details).toMatchObject({ array });
    return;
  }
  throw new Error('expected a PlateauError');
}

describe('readFeatureDump', () => {
  it('reads the fixtures (npz and safetensors alike)', async () => {
    const dir = resolve(__dirname, '../../../test/fixtures/metrics');
    const a = await readFeatureDump(resolve(dir, 'mixture_c10.npz'));
    const b = await readFeatureDump(resolve(dir, 'mixture_c10.safetensors'));
    expect([a.train.n, a.train.m, a.layer.C, a.test?.n]).toEqual([3000, 48, 10, 600]);
    expect([b.format, b.train.n, b.test?.n]).toEqual(['safetensors', 3000, 600]);
    expect(b.train.features).toEqual(a.train.features);
  });

  it('round-trips a dump through .npz and .safetensors to the same metrics', () => {
    const arrays = base();
    const st = encodeSafetensors(
      Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, { shape: a.shape, data: a.data as Float32Array }])),
      { origin: 'test' },
    );
    const fromNpz = parseFeatureDump(npz(arrays), 'dump.npz');
    const fromSt = parseFeatureDump(st, 'dump.safetensors');
    expect(fromSt.metadata).toEqual({ origin: 'test' });
    expect(computeDumpMetrics(fromSt)).toEqual(computeDumpMetrics(fromNpz));
    // Without an extension the format is sniffed from the bytes.
    expect(parseFeatureDump(npz(arrays), 'dump').format).toBe('npz');
    expect(parseFeatureDump(st, 'dump').format).toBe('safetensors');
  });

  it('bias and the test split are optional', () => {
    const { bias: _b, test_features: _f, test_labels: _l, ...rest } = base();
    const d = parseFeatureDump(npz(rest), 'dump.npz');
    expect(d.layer.bias).toBeNull();
    expect(d.test).toBeUndefined();
  });

  it('a missing file is NotFound', async () => {
    await expect(readFeatureDump('/nonexistent/dump.npz')).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('readFeatureDump errors name the array and what it expected', () => {
  const without = (name: string) => Object.fromEntries(Object.entries(base()).filter(([k]) => k !== name));
  const withArray = (name: string, shape: number[], data: NumericArray) => ({ ...base(), [name]: { shape, data } });

  it('missing features', () =>
    expectDumpError(without('features'), /missing array 'features' \(expected float, shape \[n, m\]\); arrays found: labels/, 'features'));
  it('missing labels', () => expectDumpError(without('labels'), /missing array 'labels' \(expected int, shape \[4\]\)/, 'labels'));
  it('missing weight', () => expectDumpError(without('weight'), /missing array 'weight' \(expected float, shape \[C, 3\]\)/, 'weight'));
  it('1-D features', () =>
    expectDumpError(
      withArray('features', [12], new Float32Array(12)),
      /'features' must be float shape \[n, m\], got float32 with shape \[12\]/,
    ));
  it('integer features', () => expectDumpError(withArray('features', [4, 3], new Int32Array(12)), /'features' must be float .* got int32/));
  it('weight with the wrong m', () =>
    expectDumpError(
      withArray('weight', [2, 4], new Float32Array(8)),
      /'weight' must be float shape \[C, m\] with m = 3 .* got float32 with shape \[2, 4\]/,
      'weight',
    ));
  it('labels of the wrong length', () =>
    expectDumpError(
      withArray('labels', [3], new Int32Array(3)),
      /'labels' must be int with shape \[4\] \(one per row of 'features'\), got int32 with shape \[3\]/,
    ));
  it('float labels', () => expectDumpError(withArray('labels', [4], new Float32Array(4)), /'labels' must be int .* got float32/));
  it('labels out of range', () =>
    expectDumpError(
      withArray('labels', [4], new Int32Array([0, 1, 2, 0])),
      /'labels' holds 2 at index 2, outside \[0, 2\) \(C = 2 is the number of rows of 'weight'\)/,
    ));
  it('negative labels', () => expectDumpError(withArray('labels', [4], new Int8Array([0, -1, 1, 0])), /holds -1 at index 1/));
  it('bias of the wrong length', () =>
    expectDumpError(withArray('bias', [3], new Float32Array(3)), /'bias' must be float shape \[C\] = \[2\]/, 'bias'));
  it('NaN in features', () => {
    const f = new Float32Array(12).fill(1);
    f[7] = NaN;
    expectDumpError(withArray('features', [4, 3], f), /'features' contains NaN at row 2, column 1/, 'features');
  });
  it('Inf in weight', () =>
    expectDumpError(
      withArray('weight', [2, 3], new Float64Array([1, 2, Infinity, 0, 0, 0])),
      /'weight' contains Infinity at row 0, column 2/,
    ));
  it('test_features without test_labels', () =>
    expectDumpError(without('test_labels'), /has 'test_features' but no 'test_labels'/, 'test_labels'));
  it('test_features with the wrong m', () =>
    expectDumpError(withArray('test_features', [2, 2], new Float32Array(4)), /'test_features' must be float shape \[n_test, 3\]/));
  it('test_labels out of range', () =>
    expectDumpError(withArray('test_labels', [2], new Int32Array([0, 7])), /'test_labels' holds 7 at index 1/));
  it('a corrupted archive', () => {
    expect(() => parseFeatureDump(new Uint8Array([0x50, 0x4b, 3, 4, 9, 9]), 'dump.npz')).toThrow(/^dump\.npz: cannot read \.npz/);
    expect(() => parseFeatureDump(new Uint8Array([1, 2, 3]), 'dump.safetensors')).toThrow(/^dump\.safetensors: truncated/);
  });
});

describe('a file that is not a dump', () => {
  it('says so when neither the extension nor the bytes name a format', () => {
    expect(() => parseFeatureDump(new TextEncoder().encode('{"name": "plateau", "version": "0.1.0"}'), 'package.json')).toThrow(
      /package.json is not a feature dump: expected a .npz or .safetensors file/,
    );
  });
});
