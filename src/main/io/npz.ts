// Hand-written on top of fflate's unzip so that every corruption ends as one clear PlateauError.
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { invalid, notFound } from '../../shared/api/errors';
import { asReadError, type NdArray } from './ndarray';
import { parseNpy } from './npy';

/** Parses a .npz (zip of .npy members, stored or deflated); keys are member names without `.npy`. */
export function parseNpz(bytes: Uint8Array, source: string): Map<string, NdArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (err) {
    throw asReadError(source, '.npz (zip) archive', err);
  }
  const names = Object.keys(members).filter((name) => !name.endsWith('/'));
  if (names.length === 0) throw invalid(`${source}: the .npz archive holds no arrays`, { source });
  const out = new Map<string, NdArray>();
  for (const name of names) {
    if (!name.endsWith('.npy')) throw invalid(`${source}: member '${name}' is not a .npy array`, { source, member: name });
    out.set(name.slice(0, -4), parseNpy(members[name], `${source}:${name}`));
  }
  return out;
}

/** Reads and parses a .npz file from disk. */
export async function readNpz(path: string): Promise<Map<string, NdArray>> {
  return parseNpz(await readFileOrThrow(path), path);
}

/** Reads a whole file, turning a missing or unreadable file into a PlateauError naming it. */
export async function readFileOrThrow(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${path}: no such file`, { source: path });
    throw invalid(`${path}: cannot open (${code ?? (err as Error).message})`, { source: path });
  }
}
