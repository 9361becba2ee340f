// A .safetensors file on disk read lazily: inspection reads only the 8-byte length and the JSON
// header, and each tensor is read by its offset when asked for, so a multi-GB checkpoint never sits
// in memory whole (the import keeps under about twice its largest tensor).
import { open, type FileHandle } from 'node:fs/promises';
import { invalid, notFound } from '../../shared/api/errors';
import { asReadError, decodeElements, type NumericArray } from './ndarray';
import { headerLength, parseHeader, type SafetensorsEntry } from './safetensors';

export interface SafetensorsFile {
  source: string;
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Reads one tensor's data (native byte order): a fresh array, or a float32 one over `reuse` when it is big enough. */
  read(name: string, reuse?: ArrayBuffer): Promise<NumericArray>;
}

/** Reads the header of a .safetensors file; tensor data is read later, one tensor per `read`. */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const { entries, metadata, dataStart } = await withFile(path, async (fh, size) => {
    const hLen = headerLength(await readAt(fh, 8, 0, path), size, path);
    const parsed = parseHeader(await readAt(fh, hLen, 8, path), size - 8 - hLen, path);
    return { ...parsed, dataStart: 8 + hLen };
  });
  const byName = new Map(entries.map((e) => [e.name, e]));
  return {
    source: path,
    entries,
    metadata,
    read: async (name, reuse) => {
      const e = byName.get(name);
      if (!e) throw invalid(`${path}: no tensor named '${name}'`, { source: path });
      return withFile(path, async (fh) => {
        const where = `${path}: tensor '${name}'`;
        // float32 and float64 (the weights) go straight into their array: no second copy of a big tensor.
        if (e.dtype === 'f4' || e.dtype === 'f8') {
          const fits = e.dtype === 'f4' && reuse && reuse.byteLength >= 4 * e.count;
          const out = fits ? new Float32Array(reuse, 0, e.count) : e.dtype === 'f4' ? new Float32Array(e.count) : new Float64Array(e.count);
          await readInto(fh, new Uint8Array(out.buffer), dataStart + e.begin, path);
          return out;
        }
        return decodeElements(await readAt(fh, e.end - e.begin, dataStart + e.begin, path), e.dtype, e.count, true, where);
      });
    },
  };
}

async function withFile<T>(path: string, fn: (fh: FileHandle, size: number) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${path}: no such file`, { source: path });
    throw invalid(`${path}: cannot open (${code ?? (err as Error).message})`, { source: path });
  }
  try {
    return await fn(fh, (await fh.stat()).size);
  } catch (err) {
    throw asReadError(path, '.safetensors file', err);
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, length: number, position: number, path: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  await readInto(fh, out, position, path);
  return out;
}

/** Fills `out` from `position`, looping over short reads; the file ending first means it was cut. */
async function readInto(fh: FileHandle, out: Uint8Array, position: number, path: string): Promise<void> {
  // Reads of at most 1 GiB: one read() call cannot return more than about 2 GiB on Linux.
  for (let done = 0; done < out.length; ) {
    const { bytesRead } = await fh.read(out, done, Math.min(out.length - done, 1 << 30), position + done);
    if (bytesRead === 0) throw invalid(`${path}: truncated: the file ended at byte ${position + done} while reading tensor data`, { source: path });
    done += bytesRead;
  }
}
