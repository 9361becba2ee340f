import { createRequire } from 'node:module';

const resolver = createRequire(import.meta.url);

/** Resolution order of tfjs backends, fastest first (see PLATFORM.md). */
export const BACKEND_ORDER = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

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
