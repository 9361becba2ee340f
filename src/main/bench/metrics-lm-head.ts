import { metricInfo } from '../../shared/domain/metrics';
import { CLOSED_FORM_KEYS, computeDumpMetrics, type DumpMetrics } from '../ml/metrics/closed-form';
import { seededRandom } from '../ml/metrics/seeded-random';
import type { FeatureDumpData } from '../ml/metrics/types';
import type { BenchCase } from './bench-case';
import { benchMetricsRoute } from './metrics-route';
import { runNumpyReference, worstDisagreement } from './metrics-closed-form';
import { LM_NUMPY_REFERENCE_SCRIPT } from './metrics-lm-numpy-reference';

/** GPT-2's head: 50 257 tokens, 768 features; 50 000 positions. */
const SIZE = { n: 50_000, C: 50_257, m: 768 };
/** Positions actually measured: PLATEAU_BENCH_LM_N runs fewer (the full size takes long in JS) and the log extrapolates. */
const benchN = (): number => {
  const v = Number(process.env.PLATEAU_BENCH_LM_N ?? SIZE.n);
  return Number.isSafeInteger(v) && v >= 2 && v <= SIZE.n ? v : SIZE.n;
};

/** The head keys of one split: flatness, collapse, train loss/accuracy and perplexity (no weights-only, no test split). */
export const LM_HEAD_KEYS = CLOSED_FORM_KEYS.filter((k) => {
  const d = metricInfo(k)!;
  return d.producer === 'closed-form' && d.splits.includes('train');
});

/**
 * A seeded next-token head: Zipf(1) targets over C tokens, random float32 weights (rows ~ N(0, 1/m)) and
 * features drawn around their target's weight row, so the top-K collapse rule applies as in a real LM.
 */
export function syntheticLmHead(n: number, m: number, C: number, seed = 1): FeatureDumpData {
  const r = seededRandom(seed);
  const cdf = new Float64Array(C);
  let acc = 0;
  for (let k = 0; k < C; k++) cdf[k] = acc += 1 / (k + 1);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r.uniform() * acc;
    let lo = 0,
      hi = C - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    labels[i] = lo;
  }
  const s = 1 / Math.sqrt(m);
  const weight = Float32Array.from({ length: C * m }, () => s * r.normal());
  const bias = Float32Array.from({ length: C }, () => 0.1 * r.normal());
  const features = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const wo = labels[i] * m;
    for (let j = 0; j < m; j++) features[i * m + j] = 4 * Math.sqrt(m) * weight[wo + j] * s + r.normal();
  }
  return { train: { features, labels, n, m }, layer: { weight, bias, C, m } };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

export const metricsLmHeadBench: BenchCase = {
  name: 'metrics_lm_head_n50000_c50257_m768',
  unit: 's',
  target: '<= 1.0x NumPy (BLAS); working memory <= 2x (W + one block of logits)',
  async run(log) {
    const route = benchMetricsRoute(log);
    const { C, m } = SIZE;
    const n = benchN();
    const t0 = performance.now();
    const dump = syntheticLmHead(n, m, C);
    log(`generated n = ${n}, C = ${C}, m = ${m} (float32) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rssBefore = process.memoryUsage().rss;
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const values: DumpMetrics = computeDumpMetrics(dump, LM_HEAD_KEYS);
    const seconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // on a shared machine CPU time says more than wall time about the code itself
    log(`CPU time ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of ${seconds.toFixed(2)} s wall`);
    const peak = process.resourceUsage().maxRSS * 1024;
    log(
      `head keys (${LM_HEAD_KEYS.length}), one split: ${seconds.toFixed(2)} s, ${((seconds / n) * 1000).toFixed(2)} ms per position` +
        (n < SIZE.n ? `; at n = ${SIZE.n} about ${(((seconds / n) * SIZE.n) / 60).toFixed(0)} min` : ''),
    );
    log(`peak RSS ${mib(peak)} MiB (RSS ${mib(rssBefore)} MiB before the metrics; inputs ${mib((n + C) * m * 4)} MiB float32)`);
    // what the metrics add on top of their inputs, against W (float32, as a dump holds it) plus one block of
    // logits (first-pass-lapack.ts: at most 2^24 float64 values)
    const budget = C * m * 4 + Math.min(n, Math.floor(2 ** 24 / C)) * C * 8;
    const working = Math.max(0, peak - rssBefore);
    log(
      `working memory ${mib(working)} MiB = ${(working / budget).toFixed(2)} x (W ${mib(C * m * 4)} MiB + one block ${mib(budget - C * m * 4)} MiB)`,
    );
    if (values.collapse) log(`collapse rule: ${JSON.stringify(values.collapse)}`);
    const extra: Record<string, number | string> = {
      n,
      route,
      peak_rss_mib: Number(mib(peak)),
      working_vs_w_plus_block: Number((working / budget).toFixed(2)),
    };
    const numpy = runNumpyReference(dump, log, undefined, { script: LM_NUMPY_REFERENCE_SCRIPT, args: ['1024'], timeoutMs: 3_600_000 });
    if (!numpy) return { value: seconds, extra };
    const worst = worstDisagreement(values, numpy.values);
    log(
      `NumPy reference (chunked, float64): ${numpy.seconds.toFixed(2)} s (CPU ${numpy.cpu_seconds?.toFixed(2) ?? '?'} s), peak RSS ${numpy.peak_rss_mib?.toFixed(0) ?? '?'} MiB; ` +
        `largest relative difference ${worst.rel.toExponential(1)} (${worst.key})`,
    );
    const ratio = Number((seconds / numpy.seconds).toFixed(2));
    Object.assign(extra, { cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)), numpy_s: Number(numpy.seconds.toFixed(3)), ratio });
    if (numpy.cpu_seconds) extra.numpy_cpu_s = Number(numpy.cpu_seconds.toFixed(2));
    if (numpy.peak_rss_mib) extra.numpy_peak_rss_mib = Math.round(numpy.peak_rss_mib);
    return { value: seconds, extra };
  },
};
