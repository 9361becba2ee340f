import { availableParallelism } from 'node:os';
import { BACKEND_ORDER, type BackendName } from '../../shared/domain/types';
import { describeBackend, initBackend } from '../ml/backend';

/** One benchmark of `plateau bench`: measures itself and returns its headline figure. */
export interface BenchResult {
  value: number;
  /** Extra figures printed beside the headline (a reference time, a ratio). */
  extra?: Record<string, number | string>;
}

export interface BenchCase {
  name: string;
  unit: string;
  /** Target in words, printed with the result ("< 1 s", "<= 1.5x PyTorch"). */
  target: string;
  run(log: (line: string) => void): Promise<BenchResult>;
}

/** Compute threads for the in-process cases: the PyTorch references run 2 threads, so do we (where the cores exist). */
export const BENCH_THREADS = Math.min(2, availableParallelism());

/**
 * Starts wasm as an in-process case runs it (the threads a lone job gets here), or the backend
 * PLATEAU_BENCH_BACKEND names (scripts/gpu-check.sh compares them), and logs what it got.
 */
export async function benchBackend(log: (line: string) => void): Promise<void> {
  const wanted = (process.env.PLATEAU_BENCH_BACKEND || 'wasm') as BackendName;
  if (!BACKEND_ORDER.includes(wanted)) throw new Error(`PLATEAU_BENCH_BACKEND must be one of ${BACKEND_ORDER.join(', ')}, got '${wanted}'`);
  log(`backend ${describeBackend(await initBackend(wanted, { threads: BENCH_THREADS }))}`);
}

/** The environment of a NumPy/BLAS child process on the bench's thread count (OpenBLAS, MKL and OpenMP read these). */
export function benchThreadEnv(): NodeJS.ProcessEnv {
  const t = String(BENCH_THREADS);
  return { ...process.env, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_NUM_THREADS: t };
}
