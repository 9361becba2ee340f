import { availableParallelism } from 'node:os';
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

/** Starts wasm as an in-process case runs it (the threads a lone job gets here) and logs what it got. */
export async function benchBackend(log: (line: string) => void): Promise<void> {
  log(`backend ${describeBackend(await initBackend('wasm', { threads: BENCH_THREADS }))}`);
}

/** The environment of a NumPy/BLAS child process on the bench's thread count (OpenBLAS, MKL and OpenMP read these). */
export function benchThreadEnv(): NodeJS.ProcessEnv {
  const t = String(BENCH_THREADS);
  return { ...process.env, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_NUM_THREADS: t };
}
