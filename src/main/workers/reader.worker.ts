import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { readSeries, type SeriesQuery } from '../db/repos/metric-series';

/** What the host's reader hands this worker: the database file (the host holds the writing connection). */
export interface ReaderWorkerData {
  file: string;
}

export type ToReader = { id: number; type: 'series'; query: SeriesQuery } | { type: 'checkpoint' };
/** A result comes back as its JSON text, UTF-8, in a transferred buffer: the host neither copies nor serializes it. */
export type FromReader = { id: number; ok: true; json: Uint8Array } | { id: number; ok: false; message: string };

const { file } = workerData as ReaderWorkerData;
// Read-only, its own connection: in WAL mode it reads the last committed state while the host writes.
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const encoder = new TextEncoder();
let writer: Database.Database | undefined;

/**
 * Copies the WAL into the database here rather than on the host's thread, where SQLite's automatic
 * checkpoint runs inside a commit, with its fsyncs: with a long read open the WAL cannot restart, so
 * every commit tried one (20-150 ms each under 8 training jobs). PASSIVE waits for no one.
 */
function checkpoint(): void {
  try {
    writer ??= new Database(file, { fileMustExist: true });
    writer.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or gone: the next one catches up
  }
}

parentPort!.on('message', (m: ToReader) => {
  if (m.type === 'checkpoint') return checkpoint();
  let reply: FromReader;
  try {
    const json = encoder.encode(JSON.stringify(readSeries(db, m.query)));
    reply = { id: m.id, ok: true, json };
  } catch (err) {
    reply = { id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply, reply.ok ? [reply.json.buffer as ArrayBuffer] : []);
});
