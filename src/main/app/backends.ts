import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { BACKEND_ORDER, readsSynchronously, type BackendName } from '../../shared/domain/types';

export { BACKEND_ORDER, type BackendName };

const resolver = createRequire(import.meta.url);

/** Backends whose native code is best kept out of the app's process (run their jobs in a child process). */
export const NATIVE_BACKENDS: readonly BackendName[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node'];

const PACKAGES: Record<BackendName, string[]> = {
  'tfjs-node-gpu': ['@tensorflow/tfjs-node-gpu'],
  webgpu: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'],
  'tfjs-node': ['@tensorflow/tfjs-node'],
  wasm: ['@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs'],
};

const installed = (pkg: string) => {
  try {
    resolver.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};

/** Backends whose packages are installed, without loading them (the main process stays light). */
export function installedBackends(): BackendName[] {
  return BACKEND_ORDER.filter((b) => PACKAGES[b].every(installed));
}

// Dawn is probed once, in a throwaway process: loading a GPU driver into the app's process for a
// yes/no answer is not worth the risk. Only a hardware adapter counts (a software one is slower than wasm).
const PROBE = `
const { create } = require('webgpu');
create(process.platform === 'linux' ? ['backend=vulkan'] : []).requestAdapter()
  .then((a) => { process.stdout.write(JSON.stringify(a ? { architecture: a.info?.architecture ?? '', type: a.info?.type ?? '', vendor: a.info?.vendor ?? '' } : null)); process.exit(0); })
  .catch(() => { process.stdout.write('null'); process.exit(0); });`;

let webgpuProbe: Promise<boolean> | undefined;
export function hasHardwareWebgpu(): Promise<boolean> {
  webgpuProbe ??= new Promise((resolve) => {
    if (!installedBackends().includes('webgpu')) return resolve(false);
    execFile(
      process.execPath,
      ['-e', PROBE],
      { timeout: 20_000, cwd: resolver.resolve('webgpu/package.json').replace(/package\.json$/, '') },
      (err, stdout) => {
        if (err) return resolve(false);
        try {
          const info = JSON.parse(stdout) as { architecture: string; type: string } | null;
          resolve(!!info && info.architecture !== 'software' && info.type !== 'cpu');
        } catch {
          resolve(false);
        }
      },
    );
  });
  return webgpuProbe;
}

/**
 * The backend metrics jobs use: as `jobBackend`, but never WebGPU. Metrics read tensors synchronously
 * (power iterations, float64 closed forms on the CPU), which WebGPU cannot do in Node.
 */
export async function metricsBackend(forced?: string): Promise<BackendName> {
  const chosen = await jobBackend(forced);
  if (readsSynchronously(chosen)) return chosen;
  return installedBackends().find(readsSynchronously) ?? 'cpu';
}

/** The backend jobs will use: the user's choice, else the fastest that is installed (webgpu only with a hardware adapter). */
export async function jobBackend(forced?: string): Promise<BackendName> {
  if (forced && (BACKEND_ORDER as readonly string[]).includes(forced)) return forced as BackendName;
  for (const b of installedBackends()) {
    if (b !== 'webgpu' || (await hasHardwareWebgpu())) return b;
  }
  return 'cpu';
}
