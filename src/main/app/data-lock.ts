import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Several processes may open one data folder (the app, a CLI train, a browser host). The first one
 * is primary: only it may declare jobs left "running" by a dead process interrupted. Others share.
 */
export function acquireDataLock(dataDir: string): { primary: boolean; release(): void } {
  const file = join(dataDir, 'plateau.pid');
  let holder = NaN;
  try {
    holder = Number(readFileSync(file, 'utf8'));
  } catch { /* no lock yet */ }
  if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) return { primary: false, release() {} };
  writeFileSync(file, String(process.pid));
  return {
    primary: true,
    release() {
      try {
        if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file);
      } catch { /* already gone */ }
    },
  };
}
