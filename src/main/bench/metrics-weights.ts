import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../io/npy';
import { seededRandom } from '../ml/metrics/seeded-random';
import { weightMetrics } from '../ml/metrics/weights';
import { benchThreadEnv, type BenchCase } from './bench-case';
import { benchMetricsRoute } from './metrics-route';

const PYTHON = '/usr/bin/python3';
const KEYS = new Set(['fro_norm', 'spectral_norm', 'stable_rank', 'ww_alpha']);

/** The 2-D weights of GPT-2 small (124M parameters with the 1-D ones): embeddings, then 12 blocks of four matrices. */
export function gpt2SmallShapes(): { name: string; rows: number; cols: number }[] {
  const shapes = [
    { name: 'wte', rows: 50_257, cols: 768 },
    { name: 'wpe', rows: 1024, cols: 768 },
  ];
  for (let l = 0; l < 12; l++) {
    shapes.push(
      { name: `h.${l}.attn.c_attn`, rows: 768, cols: 2304 },
      { name: `h.${l}.attn.c_proj`, rows: 768, cols: 768 },
      { name: `h.${l}.mlp.c_fc`, rows: 768, cols: 3072 },
      { name: `h.${l}.mlp.c_proj`, rows: 3072, cols: 768 },
    );
  }
  return shapes;
}

/**
 * NumPy as a careful user would run it (LAPACK through numpy.linalg): per matrix, the float64 Gram of the
 * smaller side, eigvalsh, the norms and the same power-law fit as weights.ts, vectorised per x_min. Timed
 * after loading, as the Plateau side times the metrics on tensors in memory, best of 2. Prints seconds, CPU seconds, values.
 */
const NUMPY_WEIGHTS = String.raw`
import json, os, sys, time
import numpy as np
d = sys.argv[1]; names = sys.argv[2:]
mats = [np.load(os.path.join(d, f'{i}.npy')) for i in range(len(names))]
def alpha(ev):
    xs = np.sort(ev[ev > 1e-10 * ev.max()]); best = None
    for s in range(len(xs) - 1):
        if s > 0 and xs[s] == xs[s - 1]: continue
        t = xs[s:]; k = len(t); L = np.log(t / t[0]).sum()
        if not L > 0: continue
        a = 1 + k / L; F = 1 - (t / t[0]) ** (1 - a); i = np.arange(k)
        D = max(((i + 1) / k - F).max(), (F - i / k).max())
        if best is None or D < best[0]: best = (D, a)
    return best[1]
def run():
  out = {}
  for name, W32 in zip(names, mats):
    W = W32.astype(np.float64)
    G = W @ W.T if W.shape[0] <= W.shape[1] else W.T @ W
    ev = np.clip(np.linalg.eigvalsh(G), 0, None)
    fro = float(np.sqrt((W * W).sum())); top = float(ev.max())
    out[name] = {'fro_norm': fro, 'spectral_norm': top ** 0.5, 'stable_rank': fro ** 2 / top, 'ww_alpha': float(alpha(ev / max(W.shape)))}
  return out
best = cpu = float('inf')
for _ in range(2):
  t0 = time.perf_counter(); c0 = time.process_time(); out = run()
  best = min(best, time.perf_counter() - t0); cpu = min(cpu, time.process_time() - c0)
print(json.dumps({'seconds': best, 'cpu_seconds': cpu, 'values': out}))
`;

export const metricsWeightsBench: BenchCase = {
  name: 'metrics_weights_gpt2_small',
  unit: 's',
  target: '<= 1.0x NumPy (LAPACK) on the same tensors',
  async run(log) {
    benchMetricsRoute(log);
    const shapes = gpt2SmallShapes();
    const r = seededRandom(3);
    const t0 = performance.now();
    const mats = shapes.map(({ rows, cols }) => {
      const w = new Float32Array(rows * cols);
      for (let i = 0; i < w.length; i++) w[i] = 0.02 * r.normal();
      return w;
    });
    const params = mats.reduce((s, w) => s + w.length, 0);
    log(
      `generated ${shapes.length} matrices, ${(params / 1e6).toFixed(1)}M parameters (float32) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // best of 2, wall and CPU time (on a shared machine CPU time says more about the code itself)
    let seconds = Infinity,
      cpuSeconds = Infinity;
    let ours: Record<string, number>[] = [];
    for (let rep = 0; rep < 2; rep++) {
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      ours = shapes.map(({ rows, cols }, i) => weightMetrics(mats[i], rows, cols, { keys: KEYS }).values as Record<string, number>);
      const c = process.cpuUsage(c1);
      seconds = Math.min(seconds, (performance.now() - t1) / 1000);
      cpuSeconds = Math.min(cpuSeconds, (c.user + c.system) / 1e6);
    }
    log(
      `fro_norm, spectral_norm, stable_rank, ww_alpha of every matrix: best of 2 ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s)`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-weights-'));
    try {
      mats.forEach((w, i) => writeFileSync(join(dir, `${i}.npy`), encodeNpy([shapes[i].rows, shapes[i].cols], w)));
      const out = execFileSync(PYTHON, ['-c', NUMPY_WEIGHTS, dir, ...shapes.map((s) => s.name)], {
        encoding: 'utf8',
        env: benchThreadEnv(),
        maxBuffer: 16 << 20,
        timeout: 1_800_000,
      });
      const numpy = JSON.parse(out.trim().split('\n').pop()!) as {
        seconds: number;
        cpu_seconds: number;
        values: Record<string, Record<string, number>>;
      };
      let worst = { key: '', rel: 0 };
      shapes.forEach(({ name }, i) => {
        for (const [key, v] of Object.entries(numpy.values[name])) {
          const rel = Math.abs(ours[i][key] - v) / Math.abs(v);
          if (rel > worst.rel) worst = { key: `${name}.${key}`, rel };
        }
      });
      const ratio = seconds / numpy.seconds;
      const cpuRatio = cpuSeconds / numpy.cpu_seconds;
      log(
        `NumPy: best of 2 ${numpy.seconds.toFixed(2)} s (CPU ${numpy.cpu_seconds.toFixed(2)} s): ${ratio.toFixed(2)}x wall, ${cpuRatio.toFixed(2)}x CPU; ` +
          `largest relative difference ${worst.rel.toExponential(1)} (${worst.key})`,
      );
      const extra = {
        cpu_s: Number(cpuSeconds.toFixed(3)),
        numpy_s: Number(numpy.seconds.toFixed(3)),
        numpy_cpu_s: Number(numpy.cpu_seconds.toFixed(3)),
      };
      return { value: seconds, extra: { ...extra, ratio: Number(ratio.toFixed(3)), cpu_ratio: Number(cpuRatio.toFixed(3)) } };
    } catch (err) {
      log(`NumPy reference skipped or failed: ${(err as Error).message.split('\n')[0]}`);
      return { value: seconds };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
