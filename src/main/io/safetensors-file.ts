// A .safetensors file on disk read lazily: inspection reads only the 8-byte length and the JSON
// header, and each tensor is read by its offset when asked for, so a multi-GB checkpoint never sits
// in memory whole (the import keeps under about twice its largest tensor).
import { open, type FileHandle } from 'node:fs/promises';
import { invalid, notFound } from '../../shared/api/errors';
import { CHUNKED_WIDTH, widenInto } from './float-chunks';
import { asReadError, decodeElements, type NumericArray } from './ndarray';
import { headerLength, parseHeader, type SafetensorsEntry } from './safetensors';
import { returnSharedChunk, takeSharedChunk } from './shared-chunks';

export interface SafetensorsFile {
  source: string;
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Reads one tensor's data (native byte order): a fresh array, or a float32 one over `reuse` when it is big enough. */
  read(name: string, reuse?: ArrayBuffer): Promise<NumericArray>;
  /** Reads several tensors, in the order named, with one open of the file (a header of 100 000 tensors is no 100 000 opens). */
  readMany(names: readonly string[]): Promise<NumericArray[]>;
  /**
   * Hands one tensor's raw little-endian bytes to `onChunk` in order, `chunkBytes` (whole elements) at a
   * time, through one reused buffer: the tensor's bytes never sit in memory whole.
   */
  readChunks(name: string, onChunk: (bytes: Uint8Array) => void | Promise<void>, chunkBytes?: number): Promise<void>;
  /** Elements [start, start + count) of a float tensor, widened to float32 (a chunk of dist_from_init's reference). */
  readElements(name: string, start: number, count: number): Promise<Float32Array>;
}

/** Bytes per chunk of a streamed tensor: big enough that each read is one syscall's worth of work. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/** Reads the header of a .safetensors file; tensor data is read later, one tensor per `read`. */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const { entries, metadata, dataStart } = await withFile(path, async (fh, size) => {
    const hLen = headerLength(await readAt(fh, 8, 0, path), size, path);
    const parsed = parseHeader(await readAt(fh, hLen, 8, path), size - 8 - hLen, path);
    return { ...parsed, dataStart: 8 + hLen };
  });
  const byName = new Map(entries.map((e) => [e.name, e]));
  const entry = (name: string) => {
    const e = byName.get(name);
    if (!e) throw invalid(`${path}: no tensor named '${name}'`, { source: path });
    return e;
  };
  const readOne = async (fh: FileHandle, e: SafetensorsEntry, reuse?: ArrayBuffer): Promise<NumericArray> => {
    // float32 and float64 (the weights) go straight into their array: no second copy of a big tensor.
    if (e.dtype === 'f4' || e.dtype === 'f8') {
      const fits = e.dtype === 'f4' && reuse && reuse.byteLength >= 4 * e.count;
      const out = fits ? new Float32Array(reuse, 0, e.count) : e.dtype === 'f4' ? new Float32Array(e.count) : new Float64Array(e.count);
      await readInto(fh, new Uint8Array(out.buffer, 0, out.byteLength), dataStart + e.begin, path);
      return out;
    }
    const bytes = await readAt(fh, e.end - e.begin, dataStart + e.begin, path);
    return decodeElements(bytes, e.dtype, e.count, true, `${path}: tensor '${e.name}'`);
  };
  return {
    source: path,
    entries,
    metadata,
    read: async (name, reuse) => {
      const e = entry(name);
      return withFile(path, (fh) => readOne(fh, e, reuse));
    },
    readChunks: async (name, onChunk, chunkBytes = CHUNK_BYTES) => {
      const e = entry(name);
      const size = Math.min(chunkBytes - (chunkBytes % 8), e.end - e.begin); // a multiple of every element width
      // Two buffers: the next chunk is read (in libuv's pool) while the caller works on this one.
      const bufs = [takeSharedChunk(size), takeSharedChunk(size)];
      await withFile(path, async (fh) => {
        const fetch = (at: number, i: number) => {
          const part = bufs[i % 2].subarray(0, Math.min(size, e.end - at));
          return readInto(fh, part, dataStart + at, path).then(() => part);
        };
        let next = e.end > e.begin ? fetch(e.begin, 0) : null;
        for (let at = e.begin, i = 0; next; at += size, i++) {
          const part = await next;
          next = at + size < e.end ? fetch(at + size, i + 1) : null;
          try {
            await onChunk(part);
          } catch (err) {
            await next?.catch(() => {}); // the read in flight finishes before the file closes
            throw err;
          }
        }
      }).finally(() => bufs.forEach(returnSharedChunk));
    },
    readElements: async (name, start, count) => {
      const e = entry(name);
      const width = CHUNKED_WIDTH[e.dtype];
      if (!width) throw invalid(`${path}: tensor '${name}' is ${e.dtype}, not a float tensor`, { source: path });
      if (start < 0 || start + count > e.count) throw invalid(`${path}: tensor '${name}' has no elements [${start}, ${start + count})`);
      const bytes = await withFile(path, (fh) => readAt(fh, count * width, dataStart + e.begin + start * width, path));
      const out = new Float32Array(count);
      widenInto(bytes, e.dtype, out, 0);
      return out;
    },
    readMany: async (names) => {
      const wanted = names.map(entry);
      // Neighbouring tensors are read as one span: 100 000 tiny tensors are a few reads, not 100 000 round trips.
      const order = wanted.map((_, i) => i).sort((a, b) => wanted[a].begin - wanted[b].begin);
      const out = new Array<NumericArray>(wanted.length);
      return withFile(path, async (fh) => {
        for (let i = 0; i < order.length;) {
          const first = wanted[order[i]];
          let j = i + 1;
          let end = first.end;
          for (; j < order.length && wanted[order[j]].begin - end <= SPAN_GAP && wanted[order[j]].end - first.begin <= SPAN; j++) {
            end = Math.max(end, wanted[order[j]].end);
          }
          if (j === i + 1) out[order[i]] = await readOne(fh, first);
          else {
            const span = await readAt(fh, end - first.begin, dataStart + first.begin, path);
            for (let k = i; k < j; k++) {
              const e = wanted[order[k]];
              const bytes = span.subarray(e.begin - first.begin, e.end - first.begin);
              out[order[k]] = decodeElements(bytes, e.dtype, e.count, true, `${path}: tensor '${e.name}'`);
            }
          }
          i = j;
        }
        return out;
      });
    },
  };
}

/** Tensors within one read span: at most this many bytes together, with at most SPAN_GAP unwanted bytes between two. */
const SPAN = 16 * 1024 * 1024;
const SPAN_GAP = 64 * 1024;

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
  for (let done = 0; done < out.length;) {
    const { bytesRead } = await fh.read(out, done, Math.min(out.length - done, 1 << 30), position + done);
    if (bytesRead === 0)
      throw invalid(`${path}: truncated: the file ended at byte ${position + done} while reading tensor data`, { source: path });
    done += bytesRead;
  }
}
