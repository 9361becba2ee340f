import type { Db } from './connection';

interface Pending {
  write: () => void;
  onError?: (err: unknown) => void;
  /** Runs once the write is committed (an event that tells clients to refetch). */
  after?: () => void;
}

/** A callback's error must not escape the timer that flushes: it is logged, and the queue goes on. */
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error(`A write callback failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

/** How long a write may wait for company: 10 commits a second, whatever the number of jobs. */
export const WRITE_BATCH_MS = 100;

/**
 * Batches the job system's writes (metric rows, checkpoint rows, progress) into one transaction every
 * WRITE_BATCH_MS: eight training jobs each posting metrics and progress made ~100 small commits a second
 * on the host's thread, each a WAL append, with checkpoints of the WAL among them; reads waited behind them.
 * Writes keep their order. A write given a key replaces a pending one with the same key (only the latest
 * progress of a job matters). Callers that need their writes stored before going on (a job ending) flush().
 */
export class WriteQueue {
  private pending: Pending[] = [];
  private byKey = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Called after each batch is committed (the reader worker takes over checkpointing the WAL). */
  onCommit: (() => void) | undefined;

  constructor(
    private db: Db,
    private intervalMs = WRITE_BATCH_MS,
  ) {}

  add(write: () => void, opts: { key?: string; onError?: (err: unknown) => void; after?: () => void } = {}): void {
    const item = { write, onError: opts.onError, after: opts.after };
    const at = opts.key === undefined ? undefined : this.byKey.get(opts.key);
    if (at !== undefined) this.pending[at] = item;
    else {
      if (opts.key !== undefined) this.byKey.set(opts.key, this.pending.length);
      this.pending.push(item);
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Commits everything pending now, in one transaction; a batch that fails is retried write by write, so one bad write fails only its owner. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    this.byKey.clear();
    try {
      this.db.transaction(() => {
        for (const p of batch) p.write();
      })();
    } catch {
      for (const p of batch) {
        try {
          this.db.transaction(p.write)();
        } catch (err) {
          p.after = undefined;
          guarded(() => p.onError?.(err));
        }
      }
    }
    guarded(() => this.onCommit?.());
    for (const p of batch) guarded(() => p.after?.());
  }

  /** Stops the timer after a last flush (app shutdown). */
  close(): void {
    this.flush();
  }
}

/** One job's share of the queue: its first failed write stops the job (onFail) and is thrown again by settle(). */
export function jobWrites(queue: WriteQueue, onFail: (err: unknown) => void) {
  let failed: unknown;
  return {
    add: (write: () => void, after?: () => void) =>
      queue.add(write, {
        after,
        onError: (err) => {
          failed ??= err;
          onFail(err);
        },
      }),
    /** Commits everything pending; throws this job's first failed write, if any. */
    settle(): void {
      queue.flush();
      if (failed) throw failed;
    },
  };
}
