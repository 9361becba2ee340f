import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../../shared/api/errors';
import { runDir, uploadsDir } from '../app/paths';

/** Where a client's upload is assembled, one file per (run, sha256): a resent chunk lands on the same bytes. */
export const uploadPart = (dataDir: string, runId: number, sha256: string) =>
  join(uploadsDir(dataDir), 'client', `${runId}-${sha256}.part.safetensors`);

/** The run's accepted sources (kept until measured) and the first one, dist_from_init's reference. */
export const clientDir = (dataDir: string, projectId: number, runId: number) => join(runDir(dataDir, projectId, runId), 'client');
export const clientSource = (dir: string, step: number, kind: 'checkpoint' | 'features') =>
  join(dir, `step-${String(step).padStart(8, '0')}${kind === 'features' ? '.features' : ''}.safetensors`);

/** Writes one chunk at its offset (creating the file on the first); returns the bytes written. */
export function writeChunk(path: string, offset: number, data: Buffer): number {
  mkdirSync(join(path, '..'), { recursive: true });
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w');
  try {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done);
    return done;
  } finally {
    closeSync(fd);
  }
}

/** Checks an assembled upload's size and sha256, streaming (a multi-GB checkpoint never sits in memory). */
export async function verifyUpload(path: string, bytes: number, sha256: string, what: string): Promise<void> {
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size === undefined) throw invalid(`The ${what} was never uploaded (no chunk of sha256 ${sha256.slice(0, 12)}... arrived).`);
  if (size !== bytes) throw invalid(`The ${what} is incomplete: ${size} of ${bytes} bytes arrived. Upload the missing chunks again.`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const got = hash.digest('hex');
  if (got !== sha256) throw invalid(`The ${what} does not match its checksum: sha256 ${got} instead of ${sha256}. Upload it again.`);
}

/** Steps whose source was accepted but is still being measured (their file stays until the import job is done). */
export function pendingSteps(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const m = /^step-(\d+)\.safetensors$/.exec(f);
    return m ? [Number(m[1])] : [];
  });
}
