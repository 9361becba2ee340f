// Finds the runs of training logs under a folder: every folder (the one given, or below it) that a log
// format claims is one run, named by its path under the imported folder (`runs/` -> `lr0.1`, `lr0.1/eval`).
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { logFormats, type FolderEntries, type LogFormatDescriptor } from '../formats';
import type { LogRun } from './log-run';

/** How deep below the given folder runs are looked for, and how many folders at most: a walk of `/` ends. */
const MAX_DEPTH = 6;
const MAX_FOLDERS = 20_000;

async function entriesOf(dir: string): Promise<FolderEntries> {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue; // .trash (MLflow), .git, .ipynb_checkpoints
    const kind = e.isSymbolicLink() ? await stat(join(dir, e.name)).catch(() => null) : e;
    if (kind?.isFile()) files.push(e.name);
    else if (kind?.isDirectory()) dirs.push(e.name);
  }
  const order = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  return { files: files.sort(order), dirs: dirs.sort(order) };
}

/** The log format claiming `dir` (first in registration order), with the folder's entries. */
async function claimOf(dir: string): Promise<{ format: LogFormatDescriptor | null; entries: FolderEntries }> {
  const entries = await entriesOf(dir);
  for (const format of logFormats()) if (await format.claims(dir, entries)) return { format, entries };
  return { format: null, entries };
}

export interface FoundRun {
  dir: string;
  name: string;
  format: LogFormatDescriptor;
  entries: FolderEntries;
}

/** The log runs at or under `root`, without reading them (empty: the folder holds no logs). */
export async function findLogRuns(root: string): Promise<FoundRun[]> {
  const found: FoundRun[] = [];
  let queue = [root];
  let seen = 0;
  for (let depth = 0; depth <= MAX_DEPTH && queue.length && seen < MAX_FOLDERS; depth++) {
    const next: string[] = [];
    for (const dir of queue) {
      if (++seen > MAX_FOLDERS) break;
      const { format, entries } = await claimOf(dir).catch(() => ({ format: null, entries: { files: [], dirs: [] } }));
      if (format) found.push({ dir, name: runName(root, dir), format, entries });
      next.push(...entries.dirs.map((d) => join(dir, d)));
    }
    queue = next;
  }
  return found.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

function runName(root: string, dir: string): string {
  const rel = relative(root, dir);
  return rel === '' ? basename(root) : rel.split(sep).join('/');
}

/** Reads every run found (each whole, each checked): one bad file refuses the import before anything is written. */
export async function readLogRuns(found: readonly FoundRun[]): Promise<LogRun[]> {
  const runs: LogRun[] = [];
  for (const f of found) runs.push(await f.format.read(f.dir, f.name, f.entries));
  return runs;
}

/** The one run held directly in `dir` (its sub-folders' runs are their own), or null. */
export async function readLogRunAt(dir: string, name = basename(dir)): Promise<LogRun | null> {
  const { format, entries } = await claimOf(dir);
  return format ? format.read(dir, name, entries) : null;
}
