import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { encodeNpy } from '../io/npy';
import { seededRandom } from '../ml/metrics/seeded-random';
import type { BenchCase } from './bench-case';
import { runNumpyReference, worstDisagreement } from './metrics-closed-form';
import { LM_HEAD_KEYS } from './metrics-lm-head';
import { LM_NUMPY_REFERENCE_SCRIPT } from './metrics-lm-numpy-reference';

/** GPT-2's head (C = 50 257, m = 768), two evaluation sets read from float16 chunk files. */
const SIZE = { C: 50_257, m: 768, chunk: 256 };
/** Positions per set: PLATEAU_BENCH_LM_SET_N (default 512; JS does the products until the BLAS route lands). */
const perSet = (): number => {
  const v = Number(process.env.PLATEAU_BENCH_LM_SET_N ?? 512);
  return Number.isSafeInteger(v) && v >= 2 && v <= 50_000 ? v : 512;
};
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** float32 -> IEEE half bits (round to nearest even): what the exporter's --dtype float16 stores. */
function toHalf(values: Float32Array): Uint16Array {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const e = ((x >>> 23) & 0xff) - 127 + 15;
    let mant = x & 0x7fffff;
    if (e >= 31) out[i] = sign | 0x7c00;
    else if (e <= 0)
      out[i] = sign; // tiny values: flush to zero (the features here are O(1))
    else {
      let h = sign | (e << 10) | (mant >>> 13);
      mant &= 0x1fff;
      if (mant > 0x1000 || (mant === 0x1000 && h & 1)) h++;
      out[i] = h;
    }
  }
  return out;
}

/** A .npy of float16 (encodeNpy writes the types JS has; half is written here as its bits). */
function halfNpy(shape: number[], bits: Uint16Array): Uint8Array {
  const npy = encodeNpy(shape, bits); // '<u2' header, same bytes
  const text = new TextDecoder('latin1').decode(npy.subarray(0, 128));
  const at = text.indexOf("'<u2'");
  npy.set(new TextEncoder().encode("'<f2'"), at);
  return npy;
}

/**
 * Writes a dump set chunk by chunk (Zipf targets, features around their target's head row, as the head
 * bench draws them), so generating it never holds n x m; returns the en set's arrays for the NumPy peer.
 */
function writeSyntheticSet(dir: string, n: number, size = SIZE) {
  const { C, m, chunk } = size;
  const r = seededRandom(3);
  const s = 1 / Math.sqrt(m);
  const weight = Float32Array.from({ length: C * m }, () => s * r.normal());
  writeFileSync(join(dir, 'head.npz'), zipSync({ 'weight.npy': encodeNpy([C, m], weight) }, { level: 0 }));
  const cdf = new Float64Array(C);
  let acc = 0;
  for (let k = 0; k < C; k++) cdf[k] = acc += 1 / (k + 1);
  const zipf = () => {
    const u = r.uniform() * acc;
    let lo = 0,
      hi = C - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const en = { features: new Float32Array(n * m), labels: new Int32Array(n) };
  const sets = ['en', 'de'].map((name, j) => {
    mkdirSync(join(dir, name));
    const chunks = [];
    for (let start = 0, k = 0; start < n; start += chunk, k++) {
      const rows = Math.min(chunk, n - start);
      const labels = Int32Array.from({ length: rows }, zipf);
      const x = new Float32Array(rows * m);
      for (let i = 0; i < rows; i++)
        for (let d = 0; d < m; d++) x[i * m + d] = 4 * Math.sqrt(m) * weight[labels[i] * m + d] * s + (1 + j) * r.normal();
      const half = toHalf(x);
      if (name === 'en') {
        // the peer reads the same float16 values, widened
        const back = new Float32Array(x.length);
        for (let i = 0; i < half.length; i++) back[i] = halfToFloat32(half[i]);
        en.features.set(back, start * m);
        en.labels.set(labels, start);
      }
      const file = `${name}/chunk-${String(k).padStart(5, '0')}.npz`;
      writeFileSync(
        join(dir, file),
        zipSync({ 'features.npy': halfNpy([rows, m], half), 'labels.npy': encodeNpy([rows], labels) }, { level: 0 }),
      );
      chunks.push({ file, rows });
    }
    return { name, positions: n, chunks };
  });
  const manifest = {
    format: 'plateau-lm-features',
    version: 1,
    dtype: 'float16',
    features: m,
    classes: C,
    train_set: 'en',
    step: null,
    sets,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, head: { file: 'head.npz', weight: [C, m], bias: null } }));
  return { weight, en };
}

function halfToFloat32(h: number): number {
  const e = (h >> 10) & 0x1f;
  const v = e === 0 ? (h & 0x3ff) * 2 ** -24 : (1 + (h & 0x3ff) / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
}

/** Runs the built CLI on the dump set in its own process, polling its peak RSS (VmHWM) from /proc. */
function cliMetrics(dir: string): Promise<{ seconds: number; peak: number | null; out: string }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const bin = ['../../bin/plateau.mjs', '../../../bin/plateau.mjs'].map((r) => join(here, r)).find(existsSync);
  if (!bin) throw new Error(`bin/plateau.mjs not found from ${here}`);
  const data = mkdtempSync(join(tmpdir(), 'plateau-bench-data-'));
  const keys = LM_HEAD_KEYS.filter((k) => !k.startsWith('train_'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, '--json', '--data-dir', data, 'metrics', '--features', dir, '--keys', keys.join(',')]);
  let out = '';
  let err = '';
  let peak: number | null = null;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const poll = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak ?? 0, Number(kb) * 1024);
    } catch {
      // gone, or no /proc here
    }
  }, 100);
  return new Promise((ok, fail) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      rmSync(data, { recursive: true, force: true });
      if (code !== 0) fail(new Error(`plateau metrics exited with ${code}: ${err.trim().split('\n').pop()}`));
      else ok({ seconds: (performance.now() - t0) / 1000, peak, out });
    }),
  );
}

export const metricsLmDumpSetBench: BenchCase = {
  name: 'metrics_lm_dump_set_c50257_m768',
  unit: 's',
  target: 'peak RSS <= 2x (W + one chunk) over the process baseline; time: report against NumPy (BLAS) on the en set',
  async run(log) {
    const { C, m, chunk } = SIZE;
    const n = perSet();
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-dumpset-'));
    try {
      const t0 = performance.now();
      const { weight, en } = writeSyntheticSet(dir, n);
      log(
        `wrote 2 sets x ${n} positions (float16, chunks of ${chunk}), head ${C} x ${m} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      // the process baseline: the same command on a dump set with a 16 x 8 head (Node, the CLI's modules)
      const tiny = join(dir, 'tiny');
      mkdirSync(tiny);
      writeSyntheticSet(tiny, 8, { C: 16, m: 8, chunk: 4 });
      const base = (await cliMetrics(tiny)).peak;
      const cli = await cliMetrics(dir);
      const w = C * m * 8;
      const oneChunk = chunk * m * 4;
      const result = JSON.parse(cli.out);
      log(
        `plateau metrics --features (its own process, both sets): ${cli.seconds.toFixed(2)} s, ${((cli.seconds / (2 * n)) * 1000).toFixed(1)} ms per position`,
      );
      const extra: Record<string, number | string> = { n_per_set: n };
      if (cli.peak !== null) {
        // the bound counts W in float64 (the passes' copy) and one chunk widened to float32; the rest is Node itself
        const over = cli.peak - (base ?? 0);
        log(
          `peak RSS ${mib(cli.peak)} MiB, ${mib(over)} MiB over the process baseline (${mib(base ?? 0)} MiB); bound: W (float64) ${mib(w)} MiB + one chunk ${mib(oneChunk)} MiB, doubled: ${mib(2 * (w + oneChunk))} MiB`,
        );
        extra.peak_rss_mib = Number(mib(cli.peak));
        extra.baseline_rss_mib = Number(mib(base ?? 0));
        extra.over_baseline_mib = Number(mib(over));
        extra.bound_mib = Number(mib(2 * (w + oneChunk)));
      } else log('peak RSS not measured (no /proc here)');
      const numpy = runNumpyReference(
        { train: { features: en.features, labels: en.labels, n, m }, layer: { weight, bias: null, C, m } },
        log,
        undefined,
        { script: LM_NUMPY_REFERENCE_SCRIPT, args: ['1024'], timeoutMs: 3_600_000 },
      );
      if (!numpy) return { value: cli.seconds, extra };
      const worst = worstDisagreement(result.sets.en, numpy.values);
      log(
        `NumPy reference on the en set (chunked, float64): ${numpy.seconds.toFixed(2)} s; largest relative difference ${worst.rel.toExponential(1)} (${worst.key})`,
      );
      // the CLI measured two sets; the peer one
      const ratio = Number((cli.seconds / 2 / numpy.seconds).toFixed(2));
      return { value: cli.seconds, extra: { ...extra, numpy_s_per_set: Number(numpy.seconds.toFixed(3)), ratio_per_set: ratio } };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
