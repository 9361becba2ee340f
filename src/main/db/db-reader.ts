import { Worker } from 'node:worker_threads';
import { PlateauError } from '../../shared/api/errors';
import type { MetricSeries } from '../../shared/domain/types';
import { EncodedResult } from '../../shared/rpc/envelope';
import { workerEntry } from '../jobs/worker-runner';
import type { FromReader, ReaderWorkerData, ToReader } from '../workers/reader.worker';
import type { Db } from './connection';
import { readSeries, type SeriesQuery } from './repos/metric-series';

/** How often the reader worker copies the WAL into the database, in place of SQLite's automatic checkpoint. */
export const CHECKPOINT_EVERY_MS = 1000;

/**
 * Long reads off the host's event loop: a Compare over 200 runs x 4 keys walks 5M rows (seconds),
 * and every other request used to wait for it. One reader worker, started on first use, with its own
 * read-only connection, answers them as JSON bytes; while it runs it also checkpoints the WAL, which
 * the host's connection then no longer does inside its commits. An in-memory database (no file another
 * connection could open) is read in place.
 */
export class DbReader {
  private worker: Worker | undefined;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (r: EncodedResult<MetricSeries[]>) => void; reject: (e: Error) => void }>();

  constructor(private db: Db) {}

  async series(query: SeriesQuery): Promise<EncodedResult<MetricSeries[]>> {
    if (this.db.memory) return EncodedResult.of(readSeries(this.db, query));
    const worker = this.start();
    const id = this.nextId++;
    worker.ref(); // a read in flight keeps the process alive; an idle reader does not
    return new Promise<EncodedResult<MetricSeries[]>>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, type: 'series', query } satisfies ToReader);
    }).finally(() => {
      if (!this.waiting.size) this.worker?.unref();
    });
  }

  /** Starts the worker, so that it takes over checkpoints (the job system calls this as it writes). */
  ensureStarted(): void {
    if (!this.db.memory) this.start();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    clearInterval(this.timer);
    if (w) await w.terminate();
  }

  private timer: NodeJS.Timeout | undefined;

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerEntry('reader'), { workerData: { file: this.db.name } satisfies ReaderWorkerData });
    w.unref(); // an idle reader does not keep the process alive; a read in flight refs it
    this.db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => w.postMessage({ type: 'checkpoint' } satisfies ToReader), CHECKPOINT_EVERY_MS).unref();
    w.on('message', (m: FromReader) => {
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) p?.resolve(new EncodedResult(m.json));
      else p?.reject(new PlateauError('Internal', `Reading the database failed: ${m.message}`));
    });
    const lost = (why: string) => {
      if (this.worker === w) {
        this.worker = undefined; // the next read starts a fresh one
        clearInterval(this.timer);
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000'); // SQLite's own again, until then
      }
      for (const p of this.waiting.values()) p.reject(new PlateauError('Internal', `The database reader stopped (${why}); try again.`));
      this.waiting.clear();
    };
    w.on('error', (err) => lost(err.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = w;
    return w;
  }
}
