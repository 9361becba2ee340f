// Every file Plateau writes atomically goes through a temp name of one recognisable shape, so that the
// leftovers of a write that was killed half-way can be found and removed later without ever touching a
// user's own file that merely looks similar (`model.tmp`, `step-1.safetensors.tmp-42`).
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const TAG = '.plateau-tmp-';
/** `<name>.plateau-tmp-<pid>-<8 hex>`, optionally followed by the final name's extension. */
const TEMP_NAME = /\.plateau-tmp-(\d+)-[0-9a-f]{8}(\.[A-Za-z0-9]+)?$/;

/** The temp name to write before renaming onto `path`: `step-1.safetensors` -> `step-1.safetensors.plateau-tmp-<pid>-<rand>`. */
export function tempPathFor(path: string, opts: { keepExtension?: boolean } = {}): string {
  const suffix = `${TAG}${process.pid}-${randomBytes(4).toString('hex')}`;
  // report.pdf -> report.plateau-tmp-<pid>-<rand>.pdf: a browser asked to print into it looks at the extension.
  if (opts.keepExtension) return path.replace(/(\.\w+)?$/, (ext) => `${suffix}${ext}`);
  return `${path}${suffix}`;
}

/** The pid that wrote a temp file of ours, or null for any other name. */
export function tempWriter(name: string): number | null {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Whether a process still runs (a pid we may not signal is alive too). */
export const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes our temp files under `dir` (recursively unless told not to; symlinks not followed) whose writer is gone: a
 * living process may be writing one right now. Returns what it removed; an unreadable folder is skipped.
 */
export function removeStaleTemps(dir: string, opts: { recursive?: boolean } = {}): string[] {
  const removed: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // missing (a fresh data folder) or unreadable: nothing of ours to clean there
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (opts.recursive ?? true) walk(p);
      } else if (e.isFile()) {
        const pid = tempWriter(e.name);
        if (pid === null || pid === process.pid || processAlive(pid)) continue;
        try {
          rmSync(p, { force: true });
          removed.push(p);
        } catch {
          /* in use or read-only: left for the next start */
        }
      }
    }
  };
  walk(dir);
  return removed;
}
