import { createRequire } from 'node:module';

/**
 * The system BLAS through the optional `@plateau/blas` addon (native/blas): OpenBLAS, MKL, BLIS or
 * Accelerate run sgemm ~3x faster per core than wasm's 128-bit SIMD. Absent addon or library: null,
 * and wasm uses its own kernels. PLATEAU_BLAS=off turns it off; PLATEAU_BLAS=<library> picks one.
 */
export interface Blas {
  /** The library that was opened, as named to the loader. */
  library: string;
  /** Row-major c[m x n] = op(a) op(b); operands are checked against the sizes. */
  sgemm(transA: number, transB: number, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
  /** Process-wide thread count of the library; false if it has no such control (Accelerate). */
  setThreads(n: number): boolean;
}

interface Addon {
  open(path: string): boolean;
  sgemm: Blas['sgemm'];
  setThreads: Blas['setThreads'];
}

/** Fast BLAS only: a reference BLAS (netlib) would be slower than XNNPACK. */
const LIBRARIES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['libopenblas.so.0', 'libopenblas.so', 'libmkl_rt.so.2', 'libmkl_rt.so', 'libblis.so.4', 'libblis.so'],
  darwin: [
    '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
    '/usr/local/opt/openblas/lib/libopenblas.dylib',
  ],
  win32: ['libopenblas.dll', 'openblas.dll', 'mkl_rt.2.dll'],
};

// Not named `require`: the bundler injects its own `require` shim into ESM output.
const nodeRequire = createRequire(import.meta.url);
let loaded: Blas | null | undefined;

/** The BLAS this process uses (found once), or null. */
export function loadBlas(): Blas | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const wanted = process.env.PLATEAU_BLAS;
  if (wanted === 'off') return loaded;
  let addon: Addon;
  try {
    addon = nodeRequire('@plateau/blas') as Addon;
  } catch {
    return loaded; // not built here (no compiler at install): tfjs's kernels serve
  }
  for (const library of wanted ? [wanted] : (LIBRARIES[process.platform] ?? [])) {
    if (addon.open(library)) {
      loaded = { library, sgemm: addon.sgemm, setThreads: addon.setThreads };
      break;
    }
  }
  return loaded;
}
