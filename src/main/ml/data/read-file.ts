import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { invalid, notFound } from '../../../shared/api/errors';

/**
 * Reads a whole file synchronously (datasets are built synchronously inside a worker), gunzipping it
 * when it starts with the gzip magic. Missing, unreadable or corrupt-gzip files become one PlateauError
 * naming the file.
 */
export function readDataFile(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    const buf = readFileSync(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${path}: no such file`, { source: path });
    throw invalid(`${path}: cannot open (${code ?? (err as Error).message})`, { source: path });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const out = gunzipSync(bytes);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (err) {
      throw invalid(`${path}: corrupt gzip data (${(err as Error).message})`, { source: path });
    }
  }
  return bytes;
}
