import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { Worker as NodeWorker, type TransferListItem } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

/**
 * Multi-threaded XNNPACK for tfjs-backend-wasm 4.22 under Node, which the package turns off there
 * (tfjs issue 3830). Three things stand in the way, each fixed here and nowhere else:
 * - emscripten spawns its pthread pool with `new Worker(blob: URL)`, which worker_threads cannot load:
 *   a global `Worker` evaluates the package's own pthread script instead, and `load` messages point at
 *   the package's glue file on disk rather than a Blob;
 * - pool threads park forever and would keep the process alive: `ref()` is a no-op;
 * - the C side caps threads at `os.cpus().length / 2` (it assumes hyper-threading): `os.cpus` reports
 *   enough cores while the module starts, then is restored.
 * Results are bit-identical to one thread: each output tile is computed by one thread in a fixed order.
 */

// Not named `require`: the bundler injects its own `require` shim into ESM output.
const nodeRequire = createRequire(import.meta.url);

const WASM_OUT = 'tfjs-backend-wasm-threaded-simd';

function installPthreadWorker(wasmOutDir: string): void {
  const contents = (nodeRequire(join(wasmOutDir, `${WASM_OUT}.worker.js`)) as { wasmWorkerContents: string }).wasmWorkerContents;
  // the packaged string keeps `\n` escapes unescaped inside string literals (tfjs escapes them for its Blob too)
  const source = contents.replace(/\n/g, '\\n');
  const glue = join(wasmOutDir, `${WASM_OUT}.js`);
  class PthreadWorker extends NodeWorker {
    constructor() {
      super(source, { eval: true });
      this.unref();
    }
    override ref(): void {}
    override postMessage(message: unknown, transfer?: readonly TransferListItem[]): void {
      const m = message as { cmd?: string } | null;
      super.postMessage(m?.cmd === 'load' ? { ...m, urlOrBlob: glue } : message, transfer);
    }
  }
  // emscripten's Node branch assigns the global too; keep ours
  Object.defineProperty(globalThis, 'Worker', { get: () => PthreadWorker, set: () => {}, configurable: true });
}

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

const START_TIMEOUT_MS = 30_000;

/** XNNPACK's pool holds at most 8 threads (the package pre-creates 8 workers). */
const MAX_WASM_THREADS = 8;

/**
 * Starts the wasm backend with `threads` threads (call before anything else uses tfjs on this thread).
 * Returns whether it started; on false the caller starts the single-threaded build. Throws if the
 * pool does not start in time (wasm is then unusable in this thread).
 */
export async function setWasmBackendThreaded(wasm: WasmModule, wasmDistDir: string, threads: number): Promise<boolean> {
  const n = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(threads)));
  try {
    installPthreadWorker(join(wasmDistDir, '..', 'wasm-out'));
  } catch {
    return false; // a package without its pthread files: nothing changed, the single-threaded build serves
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(n);
  const cpus = os.cpus;
  const first = cpus()[0];
  os.cpus = () => new Array<os.CpuInfo>(2 * n).fill(first!); // only the length is read
  let timer: NodeJS.Timeout | undefined;
  // a pool that never reports in would hang the job: fail it (the caller falls back) instead
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`multi-threaded wasm did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  try {
    return await Promise.race([tf.setBackend('wasm'), timeout]);
  } finally {
    clearTimeout(timer);
    os.cpus = cpus;
  }
}

/** Back to the single-threaded build after a failed threaded start. */
export function resetWasmThreads(wasm: WasmModule): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
}
