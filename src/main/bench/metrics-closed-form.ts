import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../io/npy';
import { withJsRoute } from '../ml/lapack';
import { CLOSED_FORM_KEYS, computeDumpMetrics, type DumpMetrics } from '../ml/metrics/closed-form';
import { seededRandom } from '../ml/metrics/seeded-random';
import type { FeatureDumpData } from '../ml/metrics/types';
import { benchThreadEnv, type BenchCase } from './bench-case';
import { benchMetricsRoute } from './metrics-route';
import { wholeProcessRatio } from './metrics-whole-process';
import { NUMPY_REFERENCE_SCRIPT } from './metrics-numpy-reference';

const PYTHON = '/usr/bin/python3';

/** Seeded ReLU-like class clusters, float32 features as a real dump would hold them. */
export function syntheticDump(n: number, m: number, C: number, seed = 1): FeatureDumpData {
  const r = seededRandom(seed);
  const centres = Float64Array.from({ length: C * m }, () => r.normal());
  const labels = Int32Array.from({ length: n }, () => r.int(C));
  const features = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const co = labels[i] * m;
    for (let j = 0; j < m; j++) features[i * m + j] = Math.max(0, centres[co + j] + 0.8 * r.normal());
  }
  const weight = Float32Array.from({ length: C * m }, (_, k) => 0.05 * centres[k] + 0.02 * r.normal());
  const bias = Float32Array.from({ length: C }, () => 0.1 * r.normal());
  return { train: { features, labels, n, m }, layer: { weight, bias, C, m } };
}

function numpyAvailable(python: string): boolean {
  try {
    execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Which reference script runs, with what extra arguments (after the data folder), for how long at most. */
export interface NumpyScript {
  script: string;
  args?: string[];
  timeoutMs?: number;
}

/** Runs the NumPy reference on the same data; null (with a logged reason) when it cannot run. */
export function runNumpyReference(
  dump: FeatureDumpData,
  log: (line: string) => void,
  python = PYTHON,
  { script, args = [], timeoutMs = 300_000 }: NumpyScript = { script: NUMPY_REFERENCE_SCRIPT },
): { seconds: number; values: Record<string, number>; peak_rss_mib?: number; cpu_seconds?: number } | null {
  if (!numpyAvailable(python)) {
    log(`NumPy reference skipped: '${python} -c "import numpy"' failed`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-'));
  try {
    const { train, layer } = dump;
    writeFileSync(join(dir, 'features.npy'), encodeNpy([train.n, train.m], train.features));
    writeFileSync(join(dir, 'labels.npy'), encodeNpy([train.n], Int32Array.from(train.labels)));
    writeFileSync(join(dir, 'weight.npy'), encodeNpy([layer.C, layer.m], layer.weight));
    writeFileSync(join(dir, 'bias.npy'), encodeNpy([layer.C], layer.bias ?? new Float32Array(layer.C)));
    const out = execFileSync(python, ['-c', script, dir, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 1 << 20,
      env: benchThreadEnv(),
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch (err) {
    log(`NumPy reference failed: ${(err as Error).message.split('\n')[0]}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest relative difference between our values and NumPy's over the keys both computed. */
export function worstDisagreement(ours: DumpMetrics, theirs: Record<string, number>): { key: string; rel: number } {
  let worst = { key: '', rel: 0 };
  for (const [key, v] of Object.entries(theirs)) {
    const o = ours[key];
    if (typeof o !== 'number') continue;
    const rel = Math.abs(o - v) / Math.max(Math.abs(v), 1e-9);
    if (rel > worst.rel) worst = { key, rel };
  }
  return worst;
}

export const metricsClosedFormBench: BenchCase = {
  name: 'metrics_closed_form_n60000_m512_c10',
  unit: 's',
  target: '< 1 s; whole process <= 1.0x NumPy whole process',
  async run(log) {
    const route = benchMetricsRoute(log);
    const dump = syntheticDump(60_000, 512, 10);
    let best = Infinity;
    let values: DumpMetrics = {};
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      values = computeDumpMetrics(dump);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    log(`all closed-form keys, one split: best of 3 ${best.toFixed(3)} s`);
    const extra: Record<string, number | string> = { route };
    if (route === 'lapack') {
      const t0 = performance.now();
      withJsRoute(() => computeDumpMetrics(dump));
      extra.js_route_s = Number(((performance.now() - t0) / 1000).toFixed(3));
      log(`the same on the JS route (no BLAS): ${extra.js_route_s} s`);
    }
    const numpy = runNumpyReference(dump, log);
    if (!numpy) return { value: best, extra };
    const worst = worstDisagreement(values, numpy.values);
    log(`NumPy reference: ${numpy.seconds.toFixed(3)} s; largest relative difference ${worst.rel.toExponential(1)} (${worst.key})`);
    // a metric added to the registry shows up here until the reference script computes it too
    const unchecked = CLOSED_FORM_KEYS.filter((k) => typeof values[k] === 'number' && !(k in numpy.values));
    if (unchecked.length) log(`not cross-checked by the NumPy reference: ${unchecked.join(', ')}`);
    Object.assign(extra, { numpy_s: Number(numpy.seconds.toFixed(4)), ratio: Number((best / numpy.seconds).toFixed(3)) });
    const whole = wholeProcessRatio(dump, log);
    if (whole) Object.assign(extra, whole);
    return { value: best, extra };
  },
};
