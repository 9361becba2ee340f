import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../io/temp-files';

/**
 * Several processes may open one data folder (the app, a CLI train, a browser host). The first one
 * is primary: only it may declare jobs left "running" by a dead process interrupted. Others share.
 */
export function acquireDataLock(dataDir: string): { primary: boolean; release(): void } {
  const file = join(dataDir, 'plateau.pid');
  let holder = NaN;
  try {
    holder = Number(readFileSync(file, 'utf8'));
  } catch {
    /* no lock yet */
  }
  if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) return { primary: false, release() {} };
  writeFileSync(file, String(process.pid));
  return {
    primary: true,
    release() {
      try {
        if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file);
      } catch {
        /* already gone */
      }
    },
  };
}
