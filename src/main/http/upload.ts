import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { invalid } from '../../shared/api/errors';

/** Files dropped on the Import view of a remote host land here before they are inspected and imported. */
export const uploadsDir = (dataDir: string) => join(dataDir, 'uploads');

const MAX_UPLOAD = 8 * 1024 ** 3;

/**
 * Streams one request body to `uploads/<batch>/<name>` (a batch groups the files of one drop, so a
 * dropped folder of checkpoints imports as one run). Names are reduced to a safe base name.
 */
export async function receiveUpload(req: IncomingMessage, url: URL, dataDir: string): Promise<{ path: string; dir: string; bytes: number }> {
  const raw = url.searchParams.get('name') ?? '';
  const name = basename(raw.replace(/\\/g, '/')).replace(/[^\w.+-]/g, '_');
  if (!name || name === '.' || name === '..') throw invalid(`'${raw}' is not a usable file name.`);
  const batch = url.searchParams.get('batch') ?? randomBytes(6).toString('hex');
  if (!/^[a-f0-9]{12}$/.test(batch)) throw invalid('batch must be 12 hex digits.');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_UPLOAD) throw invalid(`${name} is ${(declared / 1024 ** 3).toFixed(1)} GB; uploads stop at ${MAX_UPLOAD / 1024 ** 3} GB. Import it from a path on the host instead.`);
  const dir = join(uploadsDir(dataDir), batch);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    if (bytes > MAX_UPLOAD) req.destroy(new Error(`upload larger than ${MAX_UPLOAD} bytes`));
  });
  try {
    await pipeline(req, createWriteStream(path));
  } catch (err) {
    rmSync(path, { force: true });
    throw invalid(`The upload of ${name} broke off: ${(err as Error).message}`);
  }
  return { path, dir, bytes };
}
