import { Worker } from 'node:worker_threads';
import type { MetricRow } from '../../shared/jobs/messages';
import { captureBuffers, type CheckpointCapture } from '../ml/metrics/model-metrics';
import type { MeasureReply, MeasureRequest } from './checkpoint-metrics.worker';

/** Captures measured at once at most; the next checkpoint waits (bounds memory when measuring lags). */
const IN_FLIGHT = 2;

/**
 * Checkpoint metrics off the training thread: each capture goes to a helper thread, and its rows come
 * back in order through `onRows` while training continues. The first failure turns measuring off
 * (`onError`); whatever was not measured is left to the metrics job after training.
 */
export function startMeasurer(entry: URL, onRows: (rows: MetricRow[]) => void, onError: (message: string) => void) {
  const worker = new Worker(entry);
  const pending = new Map<number, () => void>();
  let nextId = 0;
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    onError(message);
    for (const done of pending.values()) done();
    pending.clear();
  };
  worker.on('message', (r: MeasureReply) => {
    if ('error' in r) fail(r.error);
    else if (!failed) onRows(r.rows);
    pending.get(r.id)?.();
    pending.delete(r.id);
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => { if (pending.size) fail(`the checkpoint-metrics thread exited (code ${code})`); });
  const send = (m: MeasureRequest, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);
  const oldest = () => new Promise<void>((resolve) => {
    const first = pending.keys().next();
    if (first.done) return resolve();
    const done = pending.get(first.value)!;
    pending.set(first.value, () => { done(); resolve(); });
  });
  return {
    get failed() { return failed; },
    setInit(weights: Record<string, { shape: number[]; data: Float32Array }>) { send({ type: 'init', weights }); },
    /** Queues a capture (its buffers move to the helper); waits only while IN_FLIGHT captures are pending. */
    async measure(capture: CheckpointCapture, at: { step: number; epoch: number }) {
      if (failed) return;
      while (pending.size >= IN_FLIGHT) await oldest();
      const id = nextId++;
      pending.set(id, () => {});
      send({ type: 'measure', id, capture, at }, captureBuffers(capture));
    },
    /** Waits for every queued capture, then stops the helper. */
    async close() {
      while (pending.size) await oldest();
      await worker.terminate();
    },
  };
}
