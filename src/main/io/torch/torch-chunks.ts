// One tensor of a torch.save file handed over a chunk at a time. torch.save stores its zip members
// uncompressed, so a contiguous little-endian tensor is a byte range of the file: a multi-GB
// pytorch_model-0000i-of-0000N.bin shard imports with memory of a chunk, as a safetensors shard does.
// Anything else (a deflated member, a transposed view, big-endian data) is read whole and handed over in chunks.
import { invalid } from '../../../shared/api/errors';
import { narrowTo } from '../float-chunks';
import type { ImportedTensor } from '../import-types';
import { returnSharedChunk, takeSharedChunk } from '../shared-chunks';
import { dtypeWidth, elementCount } from '../ndarray';
import type { ZipReader } from '../zip-reader';
import { isContiguous } from './strided';
import { TorchTensor, type NumpyArray } from './torch-values';

/** Bytes per chunk, as the safetensors reader reads them. */
export const TORCH_CHUNK_BYTES = 8 * 1024 * 1024;

export type OnChunk = (bytes: Uint8Array) => void | Promise<void>;

export interface ChunkSource {
  source: string;
  /** Opens the archive for the duration of `fn` (and closes it). */
  withZip<T>(fn: (zip: ZipReader) => Promise<T>): Promise<T>;
  /** `data/<key>` member name of a storage key. */
  member(key: string): string;
  littleEndian: boolean;
  /** The whole tensor, decoded (the fallback). */
  load(name: string): Promise<ImportedTensor>;
}

/**
 * Hands tensor `name` (its pickled `value`, of `dtype`) to `onChunk` as little-endian bytes of its dtype,
 * `chunkBytes` (whole elements) at a time, in C order. The next range is read while the caller works on this one.
 */
export async function readTensorChunks(
  src: ChunkSource,
  name: string,
  value: TorchTensor | NumpyArray,
  dtype: string,
  onChunk: OnChunk,
  chunkBytes = TORCH_CHUNK_BYTES,
): Promise<void> {
  const where = `${src.source}: tensor '${name}'`;
  const width = dtypeWidth(dtype)!;
  const size = Math.max(8, chunkBytes - (chunkBytes % 8)); // a multiple of every element width
  const direct = value instanceof TorchTensor && src.littleEndian && isContiguous(value.shape, value.stride);
  const streamed =
    direct &&
    (await src.withZip(async (zip) => {
      const span = await zip.span(src.member(value.storage.key));
      if (span.method !== 0) return false;
      const begin = value.offset * width;
      const end = begin + elementCount(value.shape, where) * width;
      if (end > span.size) {
        const view = `offset ${value.offset}, shape [${value.shape.join(', ')}]`;
        throw invalid(`${where}: the view (${view}) reaches byte ${end} of storage '${value.storage.key}', which holds ${span.size}`, {
          source: src.source,
          tensor: name,
        });
      }
      // Two buffers: the next range is read while the caller works on this one.
      const bufs = [takeSharedChunk(Math.min(size, end - begin)), takeSharedChunk(Math.min(size, end - begin))];
      const fetch = async (at: number, i: number) => {
        const part = bufs[i % 2].subarray(0, Math.min(size, end - at));
        if ((await zip.readRangeInto(span.start + at, part)) !== part.length)
          throw invalid(`${where}: the file ends inside the tensor's data (truncated)`, { source: src.source });
        return part;
      };
      try {
        let next = begin < end ? fetch(begin, 0) : null;
        for (let at = begin, i = 0; next; at += size, i++) {
          const part = await next;
          next = at + size < end ? fetch(at + size, i + 1) : null;
          try {
            await onChunk(part);
          } catch (err) {
            await next?.catch(() => {}); // the read in flight finishes before the file closes
            throw err;
          }
        }
      } finally {
        bufs.forEach(returnSharedChunk);
      }
      return true;
    }));
  if (streamed) return;
  const t = await src.load(name);
  const bytes = littleEndianBytes(t.data, dtype);
  for (let at = 0; at < bytes.length; at += size) await onChunk(bytes.subarray(at, Math.min(bytes.length, at + size)));
}

/** A decoded tensor back to its dtype's little-endian bytes: bf16/f16 come decoded as float32 and narrow back exactly. */
function littleEndianBytes(data: ImportedTensor['data'], dtype: string): Uint8Array {
  if (dtype === 'bf16' || dtype === 'f2') return narrowTo(data as Float32Array, dtype);
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const w = data.BYTES_PER_ELEMENT;
  if (w === 1 || new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return view;
  const out = view.slice(); // a big-endian host: swap each element's bytes
  for (let i = 0; i < out.length; i += w) out.subarray(i, i + w).reverse();
  return out;
}
