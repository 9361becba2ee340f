import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PlateauError } from '../../shared/api/errors';
import type { FromWorker, ToWorker } from '../../shared/jobs/messages';
import { NATIVE_BACKENDS, type BackendName } from '../app/backends';
import { pluginPaths } from '../app/plugins';
import { WORKER_DATA_ENV } from '../workers/port';

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

export type Isolation = 'thread' | 'process';

/**
 * Pure-JS backends (wasm, cpu) run in a worker thread; native ones (tfjs-node(-gpu), webgpu's Dawn) in a
 * child process, where a crash in native code cannot take the app down. PLATEAU_WORKER_ISOLATION overrides.
 */
export function isolationFor(backend: BackendName): Isolation {
  const forced = process.env.PLATEAU_WORKER_ISOLATION;
  if (forced === 'thread' || forced === 'process') return forced;
  return NATIVE_BACKENDS.includes(backend) ? 'process' : 'thread';
}

export interface WorkerHandle {
  send(msg: ToWorker): void;
  /** Resolves with the worker's `done` result; rejects on `error`, a crash, or a forced stop after cancel. */
  done: Promise<Record<string, unknown>>;
  /** Stops the job with this error (storing what it sent failed after the message was handled: a full disk). */
  fail(err: unknown): void;
}

interface Child {
  send(m: ToWorker): void;
  on(event: 'message', fn: (m: FromWorker) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  on(event: 'exit', fn: (code: number | null) => void): void;
  stop(): void;
}

/** Worker and ChildProcess both emit message, error and exit; one typed view over either. */
const listen = (emitter: NodeJS.EventEmitter) =>
  ((event: string, fn: (...args: never[]) => void) => void emitter.on(event, fn as (...args: unknown[]) => void)) as Child['on'];

function spawnChild(entry: string, data: unknown, isolation: Isolation): Child {
  if (isolation === 'thread') {
    const w = new Worker(entry, { workerData: data, stdout: false, stderr: false });
    return { send: (m) => w.postMessage(m), on: listen(w), stop: () => void w.terminate() };
  }
  const p = fork(entry, [], {
    env: { ...process.env, [WORKER_DATA_ENV]: JSON.stringify(data) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return {
    send: (m) => {
      if (p.connected) p.send(m);
    },
    on: listen(p),
    stop: () => void p.kill(),
  };
}

/**
 * Runs one job in a fresh worker (tfjs keeps global state, so never reuse one), as a thread or a
 * child process. Cancellation is cooperative (a control message), then forced after CANCEL_DEADLINE_MS.
 */
export function runWorker(
  entry: string,
  workerData: unknown,
  onMessage: (m: FromWorker) => void,
  signal: AbortSignal,
  isolation: Isolation,
): WorkerHandle {
  // every worker loads the plugins this process loaded (workers/plugins.ts), so their kinds build there too
  const child = spawnChild(entry, { ...(workerData as object), plugins: pluginPaths() }, isolation);
  let fail: (err: unknown) => void = () => {};
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
      child.send({ type: 'control', action: 'cancel' });
      killTimer = setTimeout(() => {
        child.stop();
        settle(() =>
          reject(
            new PlateauError(
              'Cancelled',
              `The job did not stop within ${CANCEL_DEADLINE_MS / 1000} s of being cancelled and was stopped by force.`,
            ),
          ),
        );
      }, CANCEL_DEADLINE_MS);
    };
    fail = (err) => settle(() => reject(err));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort);
    child.on('message', (m: FromWorker) => {
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
    child.on('error', (err) => settle(() => reject(new PlateauError('Internal', `The worker crashed: ${err.message}`))));
    child.on('exit', (code) => settle(() => reject(new PlateauError('Internal', `The worker exited (code ${code}) before finishing.`))));
  });
  // Exit after `done` is harmless: settle() ignores it.
  void done.finally(() => child.stop()).catch(() => {});
  return { send: (m) => child.send(m), done, fail: (err) => fail(err) };
}
