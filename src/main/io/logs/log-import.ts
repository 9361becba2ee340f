// Logs as an import: what `imports.inspect` shows (every run under a folder, each read whole and checked)
// and what `imports.start` and the import worker read (the run held in one folder). The runs read by the
// last inspection are kept while their files are unchanged, so starting them does not read 100 MB again.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { findLogRuns, readLogRunAt, readLogRuns, type FoundRun } from './log-folder';
import type { LogRun } from './log-run';

export interface LogImport {
  /** The format of every run, or 'logs' when the folder mixes formats. */
  format: string;
  source: string;
  runs: LogRun[];
}

let cache = new Map<string, { run: LogRun; signature: string }>();

async function signature(run: LogRun): Promise<string> {
  const stats = await Promise.all(
    run.files.map((f) =>
      stat(f).then(
        (s) => `${s.size}:${s.mtimeMs}`,
        () => 'gone',
      ),
    ),
  );
  return `${run.files.join('|')}#${stats.join(',')}`;
}

/** Every log run at or under the folder `path` (or those `found` there), read whole: a bad file throws, naming it. */
export async function inspectLogs(path: string, found?: FoundRun[]): Promise<LogImport> {
  found ??= await findLogRuns(path);
  const runs = await readLogRuns(found);
  const next = new Map<string, { run: LogRun; signature: string }>();
  for (const run of runs) next.set(run.source, { run, signature: await signature(run) });
  cache = next;
  const formats = [...new Set(runs.map((r) => r.format))];
  return { format: formats.length === 1 ? formats[0] : 'logs', source: path, runs };
}

/** The run of `dir` as the last inspection read it, when its files are unchanged since; else null. */
export async function cachedLogRun(dir: string): Promise<LogRun | null> {
  const hit = cache.get(dir);
  return hit && (await signature(hit.run)) === hit.signature ? hit.run : null;
}

/** The run held in `dir` itself (not its sub-folders'), from the last inspection when unchanged; null: none. */
export async function logRunAt(dir: string): Promise<LogRun | null> {
  return (await cachedLogRun(dir)) ?? readLogRunAt(dir, basename(dir));
}
