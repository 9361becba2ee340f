import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The metrics' linear-algebra route as `plateau info` reports it, in fresh processes of the built CLI: the
 * system BLAS/LAPACK when every entry point is there, else the JS route with the reason, and the same
 * metrics either way. Uses this checkout's native build (PLATEAU_NATIVE), skipped where it is not built.
 */
const root = resolve(__dirname, '../../..');
const addon = join(root, 'native/kernels/build/Release/plateau_kernels.node');
const openblas = ['/usr/lib/x86_64-linux-gnu/libopenblas.so.0', '/lib/x86_64-linux-gnu/libopenblas.so.0'].find(existsSync);
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-info-linalg-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function plateau(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PLATEAU_NATIVE: addon, ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const fixture = join(root, 'test/fixtures/metrics/mixture_c10.npz');
const expected = JSON.parse(readFileSync(join(root, 'test/fixtures/metrics/mixture_c10.expected.json'), 'utf8')) as Record<string, unknown>;

describe.skipIf(!existsSync(addon) || !openblas)('plateau info: the metrics linear-algebra route', () => {
  it('is the system BLAS/LAPACK when the library has dgemm, dsyrk and dsyevd', () => {
    expect(plateau({}, 'info').metricsLinalg).toMatchObject({ route: 'lapack', library: 'libopenblas.so.0' });
  });

  it('is JS, saying why, when no library loads or the addon is off; the metrics are the same', () => {
    const none = plateau({ PLATEAU_BLAS: '/nonexistent/libopenblas.so' }, 'info').metricsLinalg;
    expect(none).toMatchObject({ route: 'js', why: expect.stringMatching(/no system BLAS found/) });
    const off = plateau({ PLATEAU_NATIVE: 'off' }, 'info').metricsLinalg;
    expect(off).toMatchObject({ route: 'js', why: expect.stringMatching(/PLATEAU_NATIVE=off/) });
    const js = plateau({ PLATEAU_BLAS: '/nonexistent/libopenblas.so' }, 'metrics', '--features', fixture);
    const lapack = plateau({}, 'metrics', '--features', fixture);
    for (const [key, want] of Object.entries(expected)) {
      if (typeof want !== 'number' || typeof js[key] !== 'number') continue;
      expect(Math.abs(lapack[key] - js[key]), key).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(js[key]), 1e-9));
      expect(Math.abs(lapack[key] - want), key).toBeLessThanOrEqual(Math.max(1e-6 * Math.abs(want), 1e-9));
    }
  });
});
