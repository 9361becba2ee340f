import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PlateauError } from '../../shared/api/errors';
import type { FromWorker, ToWorker } from '../../shared/jobs/messages';

/** How long a cancelled worker may take to stop on its own before it is terminated. */
export const CANCEL_DEADLINE_MS = 10_000;

/** Built worker entries sit beside the main bundle (out/main/*.worker.js); tests run the same built files. */
export function workerEntry(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..'), join(here, '../../../out/main')]) {
    const f = join(dir, `${name}.worker.js`);
    if (existsSync(f)) return f;
  }
  throw new PlateauError('Unavailable', `The ${name} worker is not built. Run 'npm run build'.`);
}

export interface WorkerHandle {
  send(msg: ToWorker): void;
  /** Resolves with the worker's `done` result; rejects on `error`, a crash, or a forced stop after cancel. */
  done: Promise<Record<string, unknown>>;
}

/**
 * Runs one job in a fresh worker thread (tfjs keeps global state, so never reuse one).
 * Cancellation is cooperative (a control message), then forced after CANCEL_DEADLINE_MS.
 */
export function runWorker(entry: string, workerData: unknown, onMessage: (m: FromWorker) => void, signal: AbortSignal): WorkerHandle {
  const worker = new Worker(entry, { workerData, stdout: false, stderr: false });
  const send = (msg: ToWorker) => worker.postMessage(msg);
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      send({ type: 'control', action: 'cancel' });
      killTimer = setTimeout(() => {
        void worker.terminate();
        settle(() => reject(new PlateauError('Cancelled', `The job did not stop within ${CANCEL_DEADLINE_MS / 1000} s of being cancelled and was stopped by force.`)));
      }, CANCEL_DEADLINE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'done') settle(() => resolve(m.result));
      else if (m.type === 'error') settle(() => reject(new PlateauError(m.code as never, m.message)));
      else {
        try {
          onMessage(m);
        } catch (err) {
          // Storing what the worker sent failed (a full disk, say): stop the job with that reason.
          settle(() => reject(err));
        }
      }
    });
    worker.on('error', (err) => settle(() => reject(new PlateauError('Internal', `The worker crashed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => reject(new PlateauError('Internal', `The worker exited (code ${code}) before finishing.`))));
  });
  // Exit after `done` is harmless: settle() ignores it.
  void done.finally(() => void worker.terminate()).catch(() => {});
  return { send, done };
}
