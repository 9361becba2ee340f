import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { BACKEND_ORDER, type BackendName } from '../../shared/domain/types';
import { loadBlas, type Blas } from './blas';
import { setProductThreads } from './blas-threads';
import { nativeKernels } from './native';
import { installWasmKernels } from './ops/wasm-kernels';
import { resetWasmThreads, setWasmBackendThreaded } from './wasm-threads';

export { BACKEND_ORDER, type BackendName };

export interface BackendInfo {
  /** The backend actually in use, in our naming. */
  name: BackendName;
  tfjsVersion: string;
  threads: number;
  /** The system BLAS doing wasm's matrix products, or null (tfjs's own kernels). */
  blas: string | null;
}

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  reason?: string;
}

// Not named `require`: the bundler injects its own `require` shim into ESM output.
const nodeRequire = createRequire(import.meta.url);

/** Package path on disk, or null; never loads the package. */
function resolvePackage(pkg: string): string | null {
  try {
    return nodeRequire.resolve(`${pkg}/package.json`);
  } catch {
    try {
      return nodeRequire.resolve(pkg);
    } catch {
      return null;
    }
  }
}

/** tfjs-node installs "successfully" without its native library when the download fails: look for it. */
function hasNativeBinding(pkgJson: string): boolean {
  const lib = join(dirname(pkgJson), 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')));
}

function probe(name: BackendName): BackendProbe {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      const pkg = resolvePackage(`@tensorflow/${name}`);
      if (!pkg) return { name, available: false, reason: `@tensorflow/${name} is not installed` };
      if (!hasNativeBinding(pkg)) return { name, available: false, reason: 'native binding missing (libtensorflow download failed?)' };
      return { name, available: true };
    }
    case 'webgpu':
      return resolvePackage('webgpu') && resolvePackage('@tensorflow/tfjs-backend-webgpu')
        ? { name, available: true }
        : { name, available: false, reason: 'the optional packages webgpu and @tensorflow/tfjs-backend-webgpu are not installed' };
    case 'wasm':
      return resolvePackage('@tensorflow/tfjs-backend-wasm')
        ? { name, available: true }
        : { name, available: false, reason: '@tensorflow/tfjs-backend-wasm is not installed' };
    case 'cpu':
      return { name, available: true };
  }
}

/** What could be used here, without importing or initialising anything. */
export function availableBackends(): BackendProbe[] {
  return BACKEND_ORDER.map(probe);
}

// A variable specifier keeps bundlers from trying to resolve optional packages at build time.
const dynamicImport = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);

/** Registers and activates one backend; false if it cannot be used here. */
async function tryBackend(name: BackendName, threads: number): Promise<boolean> {
  try {
    switch (name) {
      case 'tfjs-node-gpu':
      case 'tfjs-node':
        if (!probe(name).available) return false;
        await dynamicImport(`@tensorflow/${name}`); // registers 'tensorflow'
        return await tf.setBackend('tensorflow');
      case 'webgpu':
        return await tryWebgpu(name === preferredNow);
      case 'wasm':
        return await startWasm(threads);
      case 'cpu':
        return await tf.setBackend('cpu');
    }
  } catch {
    return false;
  }
}

let wasmThreads = 1;
let wasmStarted = false;
let blas: Blas | null = null;

/** wasm from the package folder on disk; multi-threaded when asked, single-threaded if that cannot start. */
async function startWasm(threads: number): Promise<boolean> {
  const wasm = (await dynamicImport('@tensorflow/tfjs-backend-wasm')) as {
    setWasmPaths(prefix: string): void;
    setThreadsCount(n: number): void;
    getThreadsCount(): number;
  };
  // the module starts once per thread and keeps its thread count; later calls only switch to it
  if (!wasmStarted) {
    // Node has no fetch for file paths relative to the bundle: point at the package's dist folder.
    const dist = dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm'));
    try {
      wasm.setWasmPaths(dist + '/');
    } catch {
      // a failed earlier init fixes the paths; setBackend below reports the outcome
    }
    blas = loadBlas();
    // with a BLAS the heavy products leave wasm, whose own pool would only compete for the cores
    if (!blas && threads > 1 && !(await setWasmBackendThreaded(wasm, dist, threads))) resetWasmThreads(wasm);
  }
  const ok = tf.getBackend() === 'wasm' || (await tf.setBackend('wasm'));
  if (ok && !wasmStarted) {
    wasmStarted = true;
    wasmThreads = blas ? blasThreads(blas, threads) : safeThreads(wasm);
    installWasmKernels(blas, nativeKernels());
  }
  return ok;
}

let preferredNow: BackendName | undefined;

/**
 * tfjs-backend-webgpu over Dawn (the `webgpu` package): GPU training on Vulkan, Metal or D3D12 with no
 * CUDA coupling. A software adapter is only accepted when webgpu was asked for by name (it is slower than wasm).
 */
async function tryWebgpu(requested: boolean): Promise<boolean> {
  if (!probe('webgpu').available) return false;
  const dawn = (await dynamicImport('webgpu')) as {
    create(flags: string[]): { requestAdapter(): Promise<{ info?: { architecture?: string; type?: string } } | null> };
    globals: object;
  };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create(process.platform === 'linux' ? ['backend=vulkan'] : []);
  const adapter = await gpu.requestAdapter();
  if (!adapter) return false;
  const software = adapter.info?.architecture === 'software' || adapter.info?.type === 'cpu';
  if (software && !requested) return false;
  // tfjs-backend-webgpu looks for navigator.gpu; Node 20 has no navigator.
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  g.navigator!.gpu = gpu;
  await dynamicImport('@tensorflow/tfjs-backend-webgpu');
  return await tf.setBackend('webgpu');
}

/**
 * Activates the best available backend: `preferred` first (if given), then those after it in
 * tfjs-node-gpu -> webgpu -> tfjs-node -> wasm -> cpu. Reports the backend actually in use.
 * `threads` sizes wasm's XNNPACK pool (native backends size their own).
 */
export async function initBackend(preferred?: BackendName, opts: { threads?: number } = {}): Promise<BackendInfo> {
  preferredNow = preferred;
  const start = preferred ? BACKEND_ORDER.indexOf(preferred) : 0;
  const candidates = BACKEND_ORDER.slice(Math.max(0, start));
  for (const name of candidates) {
    if (await tryBackend(name, opts.threads ?? 1)) {
      await tf.ready();
      return { name, tfjsVersion: tf.version.tfjs, threads: threadsFor(name), blas: name === 'wasm' ? (blas?.library ?? null) : null };
    }
  }
  throw new Error('no tfjs backend could be initialised'); // unreachable: cpu always works
}

/** One line for logs: "wasm (tfjs 4.22.0, 2 thread(s), BLAS libopenblas.so.0)". */
export function describeBackend(b: BackendInfo): string {
  return `${b.name} (tfjs ${b.tfjsVersion}, ${b.threads} thread(s)${b.blas ? `, BLAS ${b.blas}` : ''})`;
}

/**
 * The BLAS gets one thread fewer than the job (at least one: the calling thread itself) between products;
 * each product shape then runs on that many or on all of the job's threads, whichever it runs faster on
 * (blas-threads.ts). A second thread on every product made a CNN step 1.6x slower here (2 cores) while saving an
 * MLP step 20%: it spun beside the JS thread's element-wise work (the native kernels now put it to sleep at once).
 */
function blasThreads(b: Blas, threads: number): number {
  const n = Math.max(1, threads - 1);
  if (!b.setThreads(n)) return availableParallelism();
  setProductThreads(n, threads);
  return n;
}

function safeThreads(wasm: { getThreadsCount(): number }): number {
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}

function threadsFor(name: BackendName): number {
  if (name === 'wasm') return wasmThreads;
  if (name === 'tfjs-node' || name === 'tfjs-node-gpu') return availableParallelism();
  return 1;
}
