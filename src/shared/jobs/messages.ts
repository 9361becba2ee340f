/** The main <-> worker protocol: plain JSON-able messages (typed arrays only inside checkpoint files). */

export type ToWorker = { type: 'control'; action: 'cancel' | 'pause' | 'resume' };

export type FromWorker =
  | { type: 'ready'; backend: string; tfjsVersion: string; threads: number; blas?: string | null }
  | { type: 'progress'; fraction: number; message: string; values?: Record<string, number> }
  /** Metric rows, already batched by the worker: step, epoch, split, key, value. */
  | { type: 'metrics'; rows: MetricRow[] }
  /** Points of one series (an imported training log), columnar: millions of them as rows would be millions of objects. */
  | { type: 'series'; key: string; split: 'train' | 'test' | 'none'; steps: number[]; values: number[] }
  /**
   * A checkpoint written to disk, with the rows stored together with its row (in one transaction): its
   * metrics and its epoch's log. Resuming starts after it, so what belongs to its step must not be lost apart from it.
   */
  | { type: 'checkpoint'; step: number; epoch: number | null; file: string; bytes: number; sha256: string; rows?: MetricRow[] }
  | { type: 'done'; result: Record<string, unknown> }
  | { type: 'error'; code: string; message: string };

export interface MetricRow {
  step: number;
  epoch: number | null;
  /** train, test, none, or a named evaluation set. */
  split: string;
  key: string;
  value: number;
  layer?: string;
  checkpointStep?: number;
  /** How an iterative metric was computed (seed, iterations, converged) and bulky results (a density). */
  details?: Record<string, unknown>;
}
