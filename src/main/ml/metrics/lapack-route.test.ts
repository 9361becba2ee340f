import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticDump } from '../../bench/metrics-closed-form';
import { encodeNpy } from '../../io/npy';
import { metricsRoute, withJsRoute } from '../lapack';
import { computeDumpMetrics, type DumpMetrics } from './closed-form';
import { colGram, rowGram, symmetricEigen, symmetricEigenJs } from './linalg';
import { seededRandom } from './seeded-random';
import type { FeatureDumpData } from './types';
import { weightEigenvalues, weightMetrics } from './weights';

/**
 * The system BLAS/LAPACK route against the JS route on the same inputs, and the weight spectra against
 * NumPy. Skipped (with the reason) where no BLAS with dgemm/dsyrk/dsyevd is found in this process.
 */
const route = metricsRoute();
const onLapack = route.route === 'lapack';
if (!onLapack) console.warn(`lapack-route tests skipped: the metrics run on the JS route here (${route.why})`);

function expectClose(native: DumpMetrics, js: DumpMetrics, rel: number): void {
  const keys = Object.keys(js).filter((k) => typeof js[k] === 'number');
  expect(Object.keys(native).sort()).toEqual(Object.keys(js).sort());
  for (const k of keys) {
    const a = native[k] as number,
      b = js[k] as number;
    expect(Math.abs(a - b), `${k}: ${a} (BLAS) vs ${b} (JS)`).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-12));
  }
  for (const block of ['test', 'collapse'] as const) expect(native[block]).toEqual(js[block] ? expect.anything() : undefined);
}

/** A dump with C classes whose classifier rows are near their class centres (so collapse keys are well defined). */
function dumpOf(n: number, m: number, C: number, seed: number): FeatureDumpData {
  const dump = syntheticDump(n, m, C, seed);
  return { ...dump, test: syntheticDump(Math.ceil(n / 3), m, C, seed + 1).train };
}

describe.skipIf(!onLapack)('metrics on the system BLAS/LAPACK equal the JS route', () => {
  it(`reports its route (${route.library ?? 'none'})`, () => {
    expect(route).toMatchObject({ route: 'lapack' });
    expect(withJsRoute(() => metricsRoute().route)).toBe('js');
  });

  it('Gram route (C = 10): every closed-form key on both splits', () => {
    const dump = dumpOf(3000, 48, 10, 5);
    expectClose(
      computeDumpMetrics(dump),
      withJsRoute(() => computeDumpMetrics(dump)),
      1e-9,
    );
  });

  it('variance route with the top-K rule (C = 300, K = 40, scatter in feature space), with and without kappa_sigma', () => {
    const dump = dumpOf(2500, 24, 300, 7);
    const options = { collapseTopK: 40 };
    expectClose(
      computeDumpMetrics(dump, undefined, options),
      withJsRoute(() => computeDumpMetrics(dump, undefined, options)),
      1e-9,
    );
    const keys = ['kappa', 'hessian_trace', 'train_loss', 'nc1'];
    expectClose(
      computeDumpMetrics(dump, keys, options),
      withJsRoute(() => computeDumpMetrics(dump, keys, options)),
      1e-9,
    );
  });

  it('many collapse classes (Cp = 270 > 256, Cp < m: scatter on the classes, mean distances from the Gram)', () => {
    const dump = dumpOf(2000, 272, 270, 9);
    expectClose(
      computeDumpMetrics(dump),
      withJsRoute(() => computeDumpMetrics(dump)),
      1e-8,
    );
  });

  it('Grams of float32 matrices over several blocks, and dsyevd against Jacobi', () => {
    const r = seededRandom(2);
    const a = Float32Array.from({ length: 3000 * 400 }, () => r.normal());
    const [cn, cj] = [colGram(a, 3000, 400), withJsRoute(() => colGram(a, 3000, 400))];
    const [rn, rj] = [rowGram(a, 400, 3000), withJsRoute(() => rowGram(a, 400, 3000))];
    for (let i = 0; i < cn.length; i++) {
      expect(Math.abs(cn[i] - cj[i])).toBeLessThan(1e-9 * 3000);
      expect(Math.abs(rn[i] - rj[i])).toBeLessThan(1e-9 * 3000);
    }
    const n = 120;
    const g = colGram(a.subarray(0, 300 * n), 300, n);
    const lap = symmetricEigen(g, n);
    const jac = symmetricEigenJs(g, n);
    for (let k = 0; k < n; k++) {
      expect(Math.abs(lap.values[k] - jac.values[k])).toBeLessThan(1e-10 * jac.values[0]);
      let dot = 0; // the same vector up to sign
      for (let i = 0; i < n; i++) dot += lap.vectors[k * n + i] * jac.vectors[k * n + i];
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-8);
    }
  });

  it('weights-only metrics of float32 matrices (wide, tall, over blocks)', () => {
    const r = seededRandom(4);
    for (const [rows, cols] of [
      [70, 300],
      [2600, 500],
    ]) {
      const w = Float32Array.from({ length: rows * cols }, () => r.normal() * 0.1);
      const init = Float32Array.from(w, (x) => x + 0.01 * r.normal());
      const native = weightMetrics(w, rows, cols, { init }).values;
      const js = withJsRoute(() => weightMetrics(w, rows, cols, { init }).values);
      expectClose(native, js, 1e-10);
    }
  });
});

/** NumPy's singular values and ww_alpha (the fit of weights.ts, vectorised) of the .npy matrices in a folder. */
const NUMPY_SPECTRA = String.raw`
import json, sys, os
import numpy as np
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    W = np.load(os.path.join(sys.argv[1], name)).astype(np.float64)
    sv = np.linalg.svd(W, compute_uv=False)
    ev = np.sort(np.linalg.eigvalsh(W.T @ W if W.shape[0] > W.shape[1] else W @ W.T))[::-1] / max(W.shape)
    xs = np.sort(ev[ev > 1e-10 * ev.max()]); best = None
    for s in range(len(xs) - 1):
        if s > 0 and xs[s] == xs[s - 1]: continue
        t = xs[s:]; k = len(t); L = np.log(t / t[0]).sum()
        if not L > 0: continue
        a = 1 + k / L; F = 1 - (t / t[0]) ** (1 - a); i = np.arange(k)
        D = max(((i + 1) / k - F).max(), (F - i / k).max())
        if best is None or D < best[0]: best = (D, a)
    out[name] = {'sv': sv.tolist(), 'eig': ev.tolist(), 'alpha': best[1], 'fro': float(np.linalg.norm(W))}
print(json.dumps(out))
`;

const hasNumpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasNumpy) console.warn('weight spectra vs NumPy skipped: \'/usr/bin/python3 -c "import numpy"\' failed');

describe.skipIf(!hasNumpy)('weight spectra match NumPy (numpy.linalg.svd / eigvalsh)', () => {
  it.each([['lapack'], ['js']] as const)('on the %s route', (which) => {
    if (which === 'lapack' && !onLapack) return;
    const r = seededRandom(8);
    // heavy-tailed columns, so ww_alpha has a tail to fit; one wide, one tall, one square
    const shapes: [number, number][] = [
      [96, 260],
      [300, 80],
      [128, 128],
    ];
    const mats = shapes.map(([rows, cols]) => {
      const scale = Float64Array.from({ length: cols }, () => Math.exp(1.5 * r.normal()));
      return Float32Array.from({ length: rows * cols }, (_, i) => r.normal() * scale[i % cols]);
    });
    const dir = mkdtempSync(join(tmpdir(), 'plateau-spectra-'));
    try {
      mats.forEach((w, i) => writeFileSync(join(dir, `w${i}.npy`), encodeNpy(shapes[i], w)));
      const np = JSON.parse(execFileSync('/usr/bin/python3', ['-c', NUMPY_SPECTRA, dir], { encoding: 'utf8' })) as Record<
        string,
        { sv: number[]; eig: number[]; alpha: number; fro: number }
      >;
      const run = <T>(fn: () => T) => (which === 'js' ? withJsRoute(fn) : fn());
      mats.forEach((w, i) => {
        const [rows, cols] = shapes[i];
        const ref = np[`w${i}.npy`];
        const v = run(() => weightMetrics(w, rows, cols).values);
        const eig = run(() => weightEigenvalues(w, rows, cols));
        expect(v.spectral_norm).toBeCloseTo(ref.sv[0], 9 - Math.ceil(Math.log10(ref.sv[0])));
        expect(Math.abs(v.fro_norm - ref.fro) / ref.fro).toBeLessThan(1e-12);
        expect(Math.abs(v.stable_rank - ref.fro ** 2 / ref.sv[0] ** 2) / v.stable_rank).toBeLessThan(1e-10);
        expect(Math.abs(v.ww_alpha - ref.alpha) / ref.alpha).toBeLessThan(1e-9);
        for (let k = 0; k < eig.length; k++) expect(Math.abs(eig[k] - ref.eig[k])).toBeLessThan(1e-10 * ref.eig[0]);
        // the singular values squared / N are the same spectrum
        for (let k = 0; k < eig.length; k++)
          expect(Math.abs(eig[k] - ref.sv[k] ** 2 / Math.max(rows, cols))).toBeLessThan(1e-10 * ref.eig[0]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
