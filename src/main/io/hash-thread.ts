// sha256 of a stream of chunks, computed on a thread of its own: hashing a multi-GB checkpoint costs about as
// much CPU as reading and measuring it, so on the import's thread it would be the slowest step of the pipeline.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** A running sha256: `update` in order, then `digest` once. */
export interface StreamHash {
  /** Hashes `bytes` next; a promise (settled once they are hashed, `bytes` untouched until then) or null when done at once. */
  update(bytes: Uint8Array): Promise<void> | null;
  /** The hex digest of everything updated; the hash cannot be used after. */
  digest(): Promise<string>;
  /** Stops the thread (after a failure: nothing more will be hashed). */
  close(): void;
}

/** On the calling thread: for small files, where starting a thread would cost more than it saves. */
export function inlineHash(): StreamHash {
  const hash = createHash('sha256');
  return {
    update: (bytes) => {
      hash.update(bytes);
      return null;
    },
    digest: () => Promise.resolve(hash.digest('hex')),
    close: () => {},
  };
}

// Plain CommonJS for an `eval` worker: no bundler entry needed. Each message is one chunk (its memory shared).
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m.bytes) hash.update(m.bytes);
  parentPort.postMessage(m.bytes ? { id: m.id } : { id: m.id, hex: hash.digest('hex') });
});`;

/**
 * On a worker thread. Chunks whose memory is a SharedArrayBuffer are hashed where they lie (the caller keeps
 * them untouched until `update` settles, as it must for a pool write anyway); any other is copied once.
 */
export function threadHash(): StreamHash {
  const worker = new Worker(SOURCE, { eval: true });
  // Held (keeping the process alive) only while a reply is awaited: an idle or forgotten hash never holds a process open
  worker.unref();
  const waiting = new Map<number, { resolve: (hex?: string) => void; reject: (err: Error) => void }>();
  let next = 0;
  let failed: Error | null = null;
  const failAll = (err: Error) => {
    failed ??= err;
    for (const w of waiting.values()) w.reject(failed);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; hex?: string }) => {
    waiting.get(m.id)?.resolve(m.hex);
    waiting.delete(m.id);
    if (!waiting.size) worker.unref();
  });
  worker.on('error', (err) => failAll(new Error(`the sha256 thread failed: ${err.message}`)));
  worker.on('exit', () => failAll(new Error('the sha256 thread stopped')));
  const send = (message: { bytes?: Uint8Array }) => {
    if (failed) return Promise.reject(failed);
    const id = next++;
    const done = new Promise<string | undefined>((resolve, reject) => waiting.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ id, ...message });
    return done;
  };
  return {
    // posting a view of a SharedArrayBuffer shares it; any other view is copied by the structured clone
    update: (bytes) => send({ bytes }).then(() => {}),
    async digest() {
      const hex = await send({});
      await worker.terminate();
      return hex!;
    },
    close() {
      failed ??= new Error('the sha256 thread was closed');
      void worker.terminate();
    },
  };
}
