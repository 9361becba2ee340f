import { createRequire } from 'node:module';

/**
 * The optional `@plateau/kernels` addon (native/kernels): kernels run natively on tfjs-wasm tensors
 * where they lie in wasm memory. Null where it was not built (no C compiler at install).
 */
export interface NativeKernels {
  /** dlopen a BLAS library; true once one with cblas_sgemm is open (the first stays). */
  open(path: string): boolean;
  /** Row-major c[m x n] = op(a) op(b); operands are checked against the sizes. */
  sgemm(transA: number, transB: number, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
  /** Process-wide thread count of the BLAS; false if it has no such control (Accelerate). */
  setThreads(n: number): boolean;
  /** One Adam/AdamW step into fresh outputs (see adam.ts for the formula); all arrays of one length. */
  adam(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number, bc1: number, sqrtBc2: number, l2: number, keep: number,
  ): void;
}

// Not named `require`: the bundler injects its own `require` shim into ESM output.
const nodeRequire = createRequire(import.meta.url);
let addon: NativeKernels | null | undefined;

/** The addon (loaded once per thread), or null. PLATEAU_NATIVE=off leaves it out. */
export function nativeKernels(): NativeKernels | null {
  if (addon !== undefined) return addon;
  try {
    addon = process.env.PLATEAU_NATIVE === 'off' ? null : (nodeRequire('@plateau/kernels') as NativeKernels);
  } catch {
    addon = null;
  }
  return addon;
}
