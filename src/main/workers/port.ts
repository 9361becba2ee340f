import { parentPort, workerData } from 'node:worker_threads';
import { PlateauError } from '../../shared/api/errors';
import type { FromWorker, ToWorker } from '../../shared/jobs/messages';

/** The worker's side of the job protocol, the same whether it runs as a thread or a child process. */
export interface WorkerPort<D> {
  data: D;
  post(m: FromWorker): void;
  onMessage(fn: (m: ToWorker) => void): void;
  /** Reports an error as the job's failure (with its code when it is a PlateauError). */
  fail(err: unknown): void;
}

export const WORKER_DATA_ENV = 'PLATEAU_WORKER_DATA';

export function workerPort<D>(): WorkerPort<D> {
  // A thread (pure-JS backends) talks over parentPort; a child process (native backends) over IPC.
  const post = parentPort ? (m: FromWorker) => parentPort!.postMessage(m) : (m: FromWorker) => process.send!(m);
  return {
    data: (parentPort ? workerData : JSON.parse(process.env[WORKER_DATA_ENV] ?? 'null')) as D,
    post,
    onMessage: (fn) => (parentPort ? parentPort.on('message', fn) : process.on('message', (m) => fn(m as ToWorker))),
    fail: (err) =>
      post({
        type: 'error',
        code: err instanceof PlateauError ? err.code : 'Internal',
        message: err instanceof Error ? err.message : String(err),
      }),
  };
}
