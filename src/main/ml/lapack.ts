import { loadBlas } from './blas';
import { nativeKernels } from './native';

/**
 * The float64 BLAS and LAPACK entry points the closed-form and weights-only metrics use, from the same
 * system library as the sgemm of blas.ts (OpenBLAS and MKL ship LAPACK), resolved at run time. Null
 * (the metrics keep their JS route) when the addon, the library or any one of the entry points is missing.
 */
export interface Lapack {
  library: string;
  dgemm: NonNullable<NativeFns['dgemm']>;
  dsyrk: NonNullable<NativeFns['dsyrk']>;
  dsyevd: NonNullable<NativeFns['dsyevd']>;
  softmaxRows: NonNullable<NativeFns['softmaxRows']>;
}
type NativeFns = NonNullable<ReturnType<typeof nativeKernels>>;

/** Which route the metrics' linear algebra takes, and why, as `plateau info` prints it. */
export interface MetricsRoute {
  route: 'lapack' | 'js';
  library: string | null;
  why: string;
}

let probed: { lapack: Lapack | null; route: MetricsRoute } | undefined;
let forced: 'js' | null = null;

function probe(): { lapack: Lapack | null; route: MetricsRoute } {
  if (probed) return probed;
  const js = (why: string) => ({ lapack: null, route: { route: 'js' as const, library: null, why } });
  const native = nativeKernels();
  if (!native) probed = js('the native kernels are not built or PLATEAU_NATIVE=off');
  else if (!native.linalg || !native.dgemm || !native.dsyrk || !native.dsyevd || !native.softmaxRows)
    probed = js('the native kernels predate the float64 entry points (rebuild: npm run postinstall)');
  else {
    const blas = loadBlas();
    const have = blas ? native.linalg() : null;
    const missing = have ? (['dgemm', 'dsyrk', 'dsyevd'] as const).filter((k) => !have[k]) : [];
    if (!blas) probed = js('no system BLAS found (apt-get install libopenblas0) or PLATEAU_BLAS=off');
    else if (missing.length)
      probed = js(`${blas.library} lacks ${missing.map((k) => (k === 'dsyevd' ? 'dsyevd_' : `cblas_${k}`)).join(', ')}`);
    else {
      const { dgemm, dsyrk, dsyevd, softmaxRows } = native;
      probed = {
        lapack: { library: blas.library, dgemm, dsyrk, dsyevd, softmaxRows },
        route: { route: 'lapack', library: blas.library, why: 'float64 BLAS and LAPACK dsyevd found' },
      };
    }
  }
  return probed!;
}

/** The entry points the metrics use now, or null for the JS route. */
export function metricsLapack(): Lapack | null {
  return forced === 'js' ? null : probe().lapack;
}

/** The route the metrics take in this process (for `plateau info` and the bench logs). */
export function metricsRoute(): MetricsRoute {
  return forced === 'js' ? { route: 'js', library: null, why: 'forced to the JS route' } : probe().route;
}

let setsThreads = true;

/**
 * This thread leaves the BLAS's thread count (process-wide) as it finds it: the thread measuring checkpoints
 * beside training, whose per-call change and restore could otherwise leave training's products on a count it
 * did not choose (blas-threads.ts), changing how they round.
 */
export function leaveBlasThreadsAlone(): void {
  setsThreads = false;
}

/** Whether this thread may pick a call's BLAS threads (see leaveBlasThreadsAlone). */
export const mayPickBlasThreads = (): boolean => setsThreads;

/** Runs fn with the metrics on the JS route (tests and benches comparing both routes in one process). */
export function withJsRoute<T>(fn: () => T): T {
  const before = forced;
  forced = 'js';
  try {
    return fn();
  } finally {
    forced = before;
  }
}
