import { existsSync, readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Where one attempt (one array job) of one grid point keeps its files under the sweep folder. */
export const taskDir = (sweepDir: string, index: number, jobId: string) => join(sweepDir, 'tasks', String(index), jobId);
export const taskDataDir = (dir: string) => join(dir, 'data');
export const logFile = (sweepDir: string, jobId: string, index: number) => join(sweepDir, 'logs', `${jobId}_${index}.log`);

/** The JSON lines `plateau train --json` prints: progress per epoch, then one summary. */
export interface Progress {
  epoch: number;
  train_acc?: number;
  test_acc?: number;
  train_loss?: number;
  test_loss?: number;
}
export interface TrainSummary {
  type: 'summary';
  run_id: number;
  status: string;
  backend: string;
  epochs: number;
  train_acc: number | null;
  test_acc: number | null;
  error?: string;
}

export interface TaskFiles {
  /** The last training epoch seen (metrics-job rows replay earlier epochs, so the maximum). */
  last?: Progress;
  summary?: TrainSummary;
  /** From the task's exit_code file: written only when the script reached its end. */
  exitCode?: number;
  env: Record<string, string>;
}

export function readTaskFiles(dir: string): TaskFiles {
  const out: TaskFiles = { env: {} };
  const progress = join(dir, 'progress.jsonl');
  if (existsSync(progress)) {
    for (const line of readFileSync(progress, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      let v: { type?: string } & Record<string, unknown>;
      try {
        v = JSON.parse(line);
      } catch {
        continue; // a line still being written
      }
      if (v.type === 'summary') out.summary = v as unknown as TrainSummary;
      else if (v.type === 'progress' && typeof v.epoch === 'number' && (!out.last || v.epoch >= out.last.epoch))
        out.last = v as unknown as Progress;
    }
  }
  const exit = join(dir, 'exit_code');
  if (existsSync(exit)) {
    const n = Number(readFileSync(exit, 'utf8').trim());
    if (Number.isInteger(n)) out.exitCode = n;
  }
  const env = join(dir, 'task.env');
  if (existsSync(env)) {
    for (const line of readFileSync(env, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) out.env[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/** The last `lines` lines of a log, reading only its end (logs of long tasks can be large). */
export function tailFile(file: string, lines = 20, maxBytes = 16_384): string | undefined {
  if (!existsSync(file)) return undefined;
  const size = statSync(file).size;
  const len = Math.min(size, maxBytes);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l, i, a) => l || i < a.length - 1)
    .slice(-lines)
    .join('\n');
}
