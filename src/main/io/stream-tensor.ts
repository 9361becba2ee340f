// One big tensor of a lazy format (safetensors) into the stored checkpoint, a chunk at a time: each chunk
// is written as it comes (bf16/f16 byte for byte). A matrix whose spectrum the import measures is widened
// whole (the eigen-solve needs it); any other is measured chunk by chunk from the bytes as read (Frobenius
// norm and distance from init add up over chunks), so it is never in memory whole, nor widened.
import type { MetricRow } from '../../shared/jobs/messages';
import type { CheckpointWriter } from './checkpoint-file';
import { chunkSums, CHUNKED_WIDTH, widenChunk, widenInto } from './float-chunks';
import type { FileImport } from './formats';
import type { TensorInfo } from './import-types';
import { countNonFinite } from './ndarray';

/** dist_from_init's reference (the series' first checkpoint): a whole tensor, or a range of its elements. */
export interface InitWeights {
  get(name: string, shape: readonly number[]): Promise<Float32Array | null>;
  range(name: string, shape: readonly number[], start: number, count: number): Promise<Float32Array | null>;
}

const isMatrix = (shape: readonly number[]) => shape.length === 2 || shape.length === 4;

/**
 * Largest matrix (as float32) the import widens whole for its spectrum: past it the spectrum is left to the
 * metrics job, so an import's memory is bounded by this and a chunk, not by the model's largest tensor.
 */
export const WHOLE_BYTES = 64 * 1024 * 1024;

/** Whether the import measures this tensor's spectrum, and so needs it whole: a matrix with a small enough side, of bounded size. */
export function spectrumAtImport(shape: readonly number[], spectrumMax: number): boolean {
  if (!isMatrix(shape)) return false;
  const n = shape.reduce((a, b) => a * b, 1);
  return n > 0 && 4 * n <= WHOLE_BYTES && Math.min(shape[0], n / shape[0]) <= spectrumMax;
}

/**
 * Stores a chunk -- as read when the stored dtype is the source's, else its float32 form (f64 sources) --
 * in the pool: the caller measures the chunk meanwhile and awaits this before the chunk's memory is reused.
 */
const store = (writer: CheckpointWriter, t: TensorInfo, bytes: Uint8Array, f32: Float32Array) =>
  writer.writeBytesAsync(t.name, t.dtype === 'f8' ? new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength) : bytes);

/** Streams `t` into `writer`, widening it into one float32 array (over `reuse` when big enough), which it returns. */
export async function streamWhole(
  file: FileImport,
  t: TensorInfo,
  writer: CheckpointWriter,
  onBytes?: (n: number) => void,
  reuse?: ArrayBuffer,
) {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const data = reuse && reuse.byteLength >= 4 * n ? new Float32Array(reuse, 0, n) : new Float32Array(n);
  let at = 0;
  await file.readChunks!(t.name, async (bytes) => {
    // bf16/f16/f32 go to the disk as read while they are widened; f64's float32 form once it exists
    const early = t.dtype === 'f8' ? null : writer.writeBytesAsync(t.name, bytes);
    try {
      const k = widenInto(bytes, t.dtype, data, at);
      await (early ?? store(writer, t, bytes, data.subarray(at, at + k)));
      at += k;
    } finally {
      await early?.catch(() => {}); // never left in flight when the chunk's memory is reused (its error is awaited above)
    }
    onBytes?.(bytes.length);
  });
  return data;
}

/**
 * Streams `t` into `writer` measuring it chunk by chunk (squares summed straight from the read bytes, no float32
 * copy): fro_norm and dist_from_init of a matrix, with memory of one chunk. NaN/Inf are counted, never measured.
 */
export async function streamMeasured(
  file: FileImport,
  t: TensorInfo,
  writer: CheckpointWriter,
  step: number,
  init: InitWeights | undefined,
  onBytes?: (n: number) => void,
): Promise<{ rows: MetricRow[]; nonFinite: number }> {
  // f64 is stored as float32, so it is narrowed first (and measured as stored); every other dtype is measured from its bytes
  const chunk = t.dtype === 'f8' ? new Float32Array(Math.ceil((8 * 1024 * 1024) / 8) + 8) : null;
  let [fro2, dist2, nonFinite, at] = [0, 0, 0, 0];
  let noDist = false; // the reference is missing, of another shape, or holds NaN
  await file.readChunks!(t.name, async (bytes) => {
    let [raw, dtype, bad] = [bytes, t.dtype, 0];
    if (chunk) {
      const w = widenChunk(bytes, t.dtype, chunk, 0);
      [raw, dtype, bad] = [new Uint8Array(chunk.buffer, 0, 4 * w.n), 'f4', w.nonFinite];
    }
    const k = raw.length / CHUNKED_WIDTH[dtype];
    const stored = writer.writeBytesAsync(t.name, raw);
    try {
      onBytes?.(bytes.length);
      if (!nonFinite && !bad && isMatrix(t.shape)) {
        // The first checkpoint's distance from itself is 0 by definition: only its norm is computed.
        const w0 = init && !noDist ? await init.range(t.name, t.shape, at, k) : null;
        if (init && (!w0 || countNonFinite(w0))) noDist = true;
        const sums = chunkSums(raw, dtype, noDist ? null : w0);
        [fro2, dist2, bad] = [fro2 + sums.fro2, dist2 + sums.dist2, sums.nonFinite];
      } else if (!chunk) bad = chunkSums(raw, dtype).nonFinite; // NaN/Inf are counted whatever the shape
      nonFinite += bad;
    } finally {
      await stored; // the chunk's memory is reused only once it is on its way to the disk
    }
    at += k;
  });
  if (nonFinite || !isMatrix(t.shape) || at === 0) return { rows: [], nonFinite };
  const row = (key: string, value: number): MetricRow => ({
    step,
    epoch: null,
    split: 'none',
    key,
    value,
    layer: t.name,
    checkpointStep: step,
  });
  return { rows: [row('fro_norm', Math.sqrt(fro2)), ...(noDist ? [] : [row('dist_from_init', Math.sqrt(dist2))])], nonFinite };
}
