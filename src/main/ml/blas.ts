import { nativeKernels, type NativeKernels } from './native';

/**
 * The system BLAS through the native kernels: OpenBLAS, MKL, BLIS or Accelerate run sgemm ~3x faster
 * per core than wasm's 128-bit SIMD. No addon or no library: null, and wasm uses its own kernels.
 * PLATEAU_BLAS=off turns it off; PLATEAU_BLAS=<library> picks one.
 */
export interface Blas {
  /** The library that was opened, as named to the loader. */
  library: string;
  sgemm: NativeKernels['sgemm'];
  setThreads: NativeKernels['setThreads'];
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

let loaded: Blas | null | undefined;

/** The BLAS this process uses (found once), or null. */
export function loadBlas(): Blas | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const wanted = process.env.PLATEAU_BLAS;
  const native = nativeKernels();
  if (wanted === 'off' || !native) return loaded;
  for (const library of wanted ? [wanted] : (LIBRARIES[process.platform] ?? [])) {
    if (native.open(library)) {
      loaded = { library, sgemm: native.sgemm, setThreads: native.setThreads };
      break;
    }
  }
  return loaded;
}
