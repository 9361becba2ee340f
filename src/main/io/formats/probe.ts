// What sniffers look at: the first bytes, and (read once, on demand) a zip's member names or a JSON body.
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { notFound } from '../../../shared/api/errors';
import { fileSource, ZipReader } from '../zip-reader';

export interface Probe {
  path: string;
  /** File name without its folder. */
  name: string;
  /** Extension, lower case, without the dot ('' for none). */
  ext: string;
  size: number;
  /** The first HEAD_BYTES bytes (fewer for a short file). */
  head: Uint8Array;
  /** Member names when the file is a zip archive, else null; a corrupt archive (or a zip bomb) throws, naming it. */
  zipNames(): Promise<string[] | null>;
  /** The parsed body when the file is a JSON object of at most MAX_JSON bytes, else undefined. */
  json(): Promise<Record<string, unknown> | undefined>;
}

export const HEAD_BYTES = 64;
/** A TF.js model.json holds the topology, not the weights: tens of MB would already be a strange one. */
const MAX_JSON = 64 * 1024 * 1024;

export async function probeFile(path: string): Promise<Probe> {
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw notFound(`${path}: no such file`, { source: path });
    },
  );
  const head = await readHead(path, Math.min(HEAD_BYTES, size));
  let zip: Promise<string[] | null> | undefined;
  let json: Promise<Record<string, unknown> | undefined> | undefined;
  return {
    path,
    size,
    head,
    name: basename(path),
    ext: extname(path).slice(1).toLowerCase(),
    zipNames: () => (zip ??= ZipReader.looksLikeZip(head) ? zipMembers(path) : Promise.resolve(null)),
    json: () => (json ??= firstNonSpace(head) === 0x7b && size <= MAX_JSON ? readJson(path) : Promise.resolve(undefined)),
  };
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const src = await fileSource(path);
  try {
    return await src.read(0, n);
  } finally {
    await src.close();
  }
}

async function zipMembers(path: string): Promise<string[] | null> {
  const src = await fileSource(path);
  try {
    // A broken or bomb-like archive is refused here, with the zip reader's message, before any format unpacks it.
    return (await ZipReader.open(src, path)).names();
  } finally {
    await src.close();
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path)));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  return bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
}
