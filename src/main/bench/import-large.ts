import { fork } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FromWorker } from '../../shared/jobs/messages';
import { encodeSafetensorsHeader } from '../io/safetensors';
import { workerEntry } from '../jobs/worker-runner';
import { WORKER_DATA_ENV } from '../workers/port';
import type { BenchCase } from './bench-case';

/** Four 16384 x 4096 float32 matrices: 256 MiB each, 1 GiB in all; the largest is one of them. */
const TENSORS = 4;
const SHAPE = [16384, 4096];
const TENSOR_BYTES = 4 * SHAPE[0] * SHAPE[1];
/** Data is generated and written in slices this big, so the bench itself never holds a tensor. */
const SLICE = 16 * 1024 * 1024;

/** Writes the test file slice by slice (pseudo-random floats, so nothing compresses or dedupes). */
function writeLargeFile(path: string): void {
  const specs = Array.from({ length: TENSORS }, (_, i) => ({
    name: `layers.${i}.weight`,
    dtype: 'F32' as const,
    shape: SHAPE,
    byteLength: TENSOR_BYTES,
  }));
  const fd = openSync(path, 'w');
  try {
    const put = (b: Uint8Array) => {
      for (let done = 0; done < b.length;) done += writeSync(fd, b, done, b.length - done);
    };
    put(encodeSafetensorsHeader(specs, { step: '1000' }));
    const slice = new Float32Array(SLICE / 4);
    let x = 0x9e3779b9;
    for (let written = 0; written < TENSORS * TENSOR_BYTES; written += SLICE) {
      for (let i = 0; i < slice.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        slice[i] = (x | 0) / 2 ** 31 / 64; // small weights, like a trained layer's
      }
      put(new Uint8Array(slice.buffer));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A fresh Node process running the built import worker, so its peak RSS is the import's alone: the
 * wrapper records `maxRSS` when the process exits (after the parent disconnects on `done`).
 */
export interface ChildImport {
  seconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  result: Record<string, unknown>;
}

export function importInChild(path: string, runDir: string, dir: string, inspectOnly = false): Promise<ChildImport> {
  const rssFile = join(dir, 'maxrss');
  const wrapper = join(dir, 'measure.mjs');
  writeFileSync(
    wrapper,
    [
      "import { writeFileSync } from 'node:fs';",
      // peak RSS in KiB and CPU seconds: the CPU time reads true on a machine shared with other work, wall time does not
      "process.on('exit', () => { const u = process.resourceUsage();",
      `  writeFileSync(${JSON.stringify(rssFile)}, JSON.stringify([u.maxRSS, (u.userCPUTime + u.systemCPUTime) / 1e6])); });`,
      `await import(${JSON.stringify(pathToFileURL(workerEntry('import')).href)});`,
    ].join('\n'),
  );
  const started = performance.now();
  const workerData = JSON.stringify({ path, runDir, ...(inspectOnly ? { inspectOnly } : {}) });
  const env = { ...process.env, [WORKER_DATA_ENV]: workerData };
  const child = fork(wrapper, [], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: Record<string, unknown> | undefined;
    let seconds = 0;
    child.on('message', (m: FromWorker) => {
      if (m.type === 'error') reject(new Error(`import failed: ${m.message}`));
      if (m.type !== 'done') return;
      seconds = (performance.now() - started) / 1000;
      result = m.result;
      child.disconnect(); // nothing else keeps the worker alive: it exits and writes its peak RSS
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!result) return reject(new Error(`the import worker exited (code ${code}) before finishing`));
      const [maxRssKib, cpuSeconds] = JSON.parse(readFileSync(rssFile, 'utf8')) as [number, number];
      resolve({ seconds, cpuSeconds, maxRssBytes: maxRssKib * 1024, result });
    });
  });
}

/**
 * Imports a 1 GiB safetensors file (4 x 256 MiB float32 tensors) through the import worker in its own
 * process: peak RSS over the largest tensor's size. Streaming keeps it near 1-2; reading whole, ~5+.
 */
export const importLargeBench: BenchCase = {
  name: 'import_safetensors_1gb',
  unit: 'x largest tensor',
  target: '<= ~2x the largest tensor (peak RSS)',
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-import-'));
    try {
      const path = join(dir, 'large.safetensors');
      const t0 = performance.now();
      writeLargeFile(path);
      const fileBytes = statSync(path).size;
      log(
        `wrote ${(fileBytes / 2 ** 30).toFixed(2)} GiB (${TENSORS} x ${SHAPE.join(' x ')} float32) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const { seconds, maxRssBytes, result } = await importInChild(path, join(dir, 'run'), dir);
      const ratio = maxRssBytes / TENSOR_BYTES;
      log(
        `imported ${String(result.checkpoints)} checkpoint in ${seconds.toFixed(1)} s; peak RSS ${(maxRssBytes / 2 ** 20).toFixed(0)} MiB = ${ratio.toFixed(2)} x the ${TENSOR_BYTES / 2 ** 20} MiB tensor`,
      );
      return {
        value: Number(ratio.toFixed(3)),
        extra: {
          seconds: Number(seconds.toFixed(2)),
          peak_rss_mib: Math.round(maxRssBytes / 2 ** 20),
          largest_tensor_mib: TENSOR_BYTES / 2 ** 20,
          file_gib: Number((fileBytes / 2 ** 30).toFixed(3)),
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default importLargeBench;
