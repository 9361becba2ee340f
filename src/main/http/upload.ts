import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { invalid } from '../../shared/api/errors';
import { uploadsDir } from '../app/paths';

const GB = 1024 ** 3;
/** Uploads waiting in uploads/ at once; PLATEAU_UPLOAD_QUOTA_GB changes it. */
export const uploadQuota = (env: NodeJS.ProcessEnv = process.env) => {
  const gb = Number(env.PLATEAU_UPLOAD_QUOTA_GB);
  return (Number.isFinite(gb) && gb > 0 ? gb : 16) * GB;
};
/** A batch nobody imported within a day is dropped at the next start. */
const STALE_MS = 24 * 3600 * 1000;

function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name), { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

/** Removes upload batches (and client part files) older than a day (called when the browser host starts). */
export function cleanStaleUploads(dataDir: string, now = Date.now()): number {
  const root = uploadsDir(dataDir);
  if (!existsSync(root)) return 0;
  let removed = 0;
  // a client's upload never committed (client-service.ts): its part file goes after a day as well
  const parts = join(root, 'client');
  for (const e of existsSync(parts) ? readdirSync(parts, { withFileTypes: true }) : []) {
    const file = join(parts, e.name);
    if (e.isFile() && e.name.endsWith('.part.safetensors') && now - statSync(file).mtimeMs > STALE_MS) {
      rmSync(file, { force: true });
      removed++;
    }
  }
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const dir = join(root, e.name);
    if (e.isDirectory() && /^[a-f0-9]{12}$/.test(e.name) && now - statSync(dir).mtimeMs > STALE_MS) {
      rmSync(dir, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Streams one request body to `uploads/<batch>/<name>` (a batch groups the files of one drop, so a
 * dropped folder of checkpoints imports as one run). Names are reduced to a safe base name. Everything
 * waiting in uploads/ stays under the quota; an import removes its batch when it succeeds.
 */
export async function receiveUpload(
  req: IncomingMessage,
  url: URL,
  dataDir: string,
  quota = uploadQuota(),
): Promise<{ path: string; dir: string; bytes: number }> {
  const raw = url.searchParams.get('name') ?? '';
  const name = basename(raw.replace(/\\/g, '/')).replace(/[^\w.+-]/g, '_');
  if (!name || name === '.' || name === '..') throw invalid(`'${raw}' is not a usable file name.`);
  const batch = url.searchParams.get('batch') ?? randomBytes(6).toString('hex');
  if (!/^[a-f0-9]{12}$/.test(batch)) throw invalid('batch must be 12 hex digits.');
  mkdirSync(uploadsDir(dataDir), { recursive: true });
  const room = quota - bytesUnder(uploadsDir(dataDir));
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooBig = (n: number) =>
    `${name} (${(n / GB).toFixed(2)} GB) does not fit the ${(room / GB).toFixed(2)} GB left of the ${(quota / GB).toFixed(0)} GB upload quota. Import it from a path on the host instead, or set PLATEAU_UPLOAD_QUOTA_GB.`;
  if (declared > room) throw invalid(tooBig(declared));
  const dir = join(uploadsDir(dataDir), batch);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    if (bytes > room) req.destroy(new Error(tooBig(bytes)));
  });
  try {
    await pipeline(req, createWriteStream(path));
  } catch (err) {
    rmSync(path, { force: true });
    throw invalid(`The upload of ${name} broke off: ${(err as Error).message}`);
  }
  return { path, dir, bytes };
}
