import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** Nice value of compute workers: the host's thread (requests, writes) comes first, training takes what is left. */
export const WORKER_NICE = 10;

/**
 * Lowers the scheduling priority of this worker (and of threads it starts after: wasm's pool, a BLAS).
 * Eight training threads on two cores otherwise share the CPU equally with the host's thread, and every
 * request waits its turn behind them. On Linux setpriority(0) applies to the calling thread alone; on
 * other systems it would lower the whole app, so a worker thread there is left as it is.
 */
export function yieldCpuToHost(nice = WORKER_NICE): void {
  if (!isMainThread && process.platform !== 'linux') return;
  try {
    setPriority(0, nice);
  } catch {
    // not permitted (a sandbox): run at the priority we have
  }
}

/**
 * Nice value of the thread measuring a training run's checkpoints: it runs on what training leaves idle.
 * At training's own priority, grokking-mlp with live metrics took 24.7-36.1 s, without 23.4-26.9 s (2-core AMD EPYC).
 */
export const MEASURER_NICE = 19;
