import { Worker } from 'node:worker_threads';
import type { MetricRow } from '../../shared/jobs/messages';
import { captureBuffers, type CheckpointCapture } from '../ml/metrics/checkpoint-rows';
import type { MeasureReply, MeasureRequest } from './checkpoint-metrics.worker';

/**
 * Bytes of captures queued at once at most; the next checkpoint waits (bounds memory when measuring lags).
 * Not a count: with two at most, a small model's early log-spaced checkpoints, a few epochs apart, each
 * stalled training until the one before was measured.
 */
const IN_FLIGHT_BYTES = 512 * 2 ** 20;

/**
 * Checkpoint metrics off the training thread: each capture goes to a helper thread while training
 * continues. `measure` resolves once the capture is queued, to `{ rows }`: a promise of its rows (null once
 * measuring has failed; wrapped, since a promise resolving to a promise would wait for both). The first failure turns measuring off (`onError`); what was not measured is left to the
 * metrics job after training.
 */
export function startMeasurer(entry: URL, onError: (message: string) => void, maxQueuedBytes = IN_FLIGHT_BYTES) {
  const worker = new Worker(entry);
  const pending = new Map<number, (rows: MetricRow[] | null) => void>();
  const sizes = new Map<number, number>();
  let queuedBytes = 0;
  let nextId = 0;
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    onError(message);
    for (const done of pending.values()) done(null);
    pending.clear();
  };
  // the last measured capture's feature buffers, handed back to be filled by the next one (same sizes); only
  // the last one's, so what is kept stays one capture's worth
  let spare: ArrayBuffer[] = [];
  worker.on('message', (r: MeasureReply) => {
    if ('spare' in r) spare = r.spare;
    const done = pending.get(r.id);
    pending.delete(r.id);
    queuedBytes -= sizes.get(r.id) ?? 0;
    sizes.delete(r.id);
    if ('error' in r) fail(r.error);
    done?.('rows' in r && !failed ? r.rows : null);
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => {
    if (pending.size) fail(`the checkpoint-metrics thread exited (code ${code})`);
  });
  const send = (m: MeasureRequest, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);
  /** Resolves when the oldest pending capture is answered. */
  const oldest = () =>
    new Promise<void>((resolve) => {
      const first = pending.keys().next();
      if (first.done) return resolve();
      const done = pending.get(first.value)!;
      pending.set(first.value, (rows) => {
        done(rows);
        resolve();
      });
    });
  return {
    get failed() {
      return failed;
    },
    /** An array of this length for a capture's features: a spare one (its old values are overwritten) or a fresh one. */
    take(length: number): Float32Array {
      const i = spare.findIndex((b) => b.byteLength === length * 4);
      return i < 0 ? new Float32Array(length) : new Float32Array(spare.splice(i, 1)[0]!);
    },
    setInit(weights: Record<string, { shape: number[]; data: Float32Array }>) {
      send({ type: 'init', weights });
    },
    /** Queues a capture (its buffers move to the helper); waits while it would take the queue past maxQueuedBytes (a lone capture always goes). */
    async measure(capture: CheckpointCapture, at: { step: number; epoch: number }): Promise<{ rows: Promise<MetricRow[] | null> }> {
      const buffers = captureBuffers(capture);
      const bytes = buffers.reduce((s, b) => s + b.byteLength, 0);
      while (!failed && pending.size && queuedBytes + bytes > maxQueuedBytes) await oldest();
      if (failed) return { rows: Promise.resolve(null) };
      const id = nextId++;
      const rows = new Promise<MetricRow[] | null>((resolve) => pending.set(id, resolve));
      sizes.set(id, bytes);
      queuedBytes += bytes;
      send({ type: 'measure', id, capture, at }, buffers);
      return { rows };
    },
    /** Waits for every queued capture, then stops the helper. */
    async close() {
      while (pending.size) await oldest();
      await worker.terminate();
    },
  };
}
