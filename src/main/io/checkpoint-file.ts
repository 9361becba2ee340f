import { createHash } from 'node:crypto';
import { closeSync, fdatasync, fsyncSync, openSync, renameSync, rmSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { invalid } from '../../shared/api/errors';
import { readFileOrThrow } from './npz';
import { narrowTo } from './float-chunks';
import { inlineHash, threadHash } from './hash-thread';
import { elementCount } from './ndarray';
import { tempPathFor } from './temp-files';
import { encodeSafetensors, encodeSafetensorsHeader, parseSafetensors } from './safetensors';

type Tensor32 = { shape: number[]; data: Float32Array };

/** What a Plateau checkpoint holds: weights, optional optimizer buffers (prefixed), and JSON metadata. */
export interface CheckpointContent {
  step: number;
  epoch: number;
  weights: Record<string, Tensor32>;
  optimizer?: { kind: string; step: number; slots: Record<string, Tensor32> };
  /** The run's training config, so a checkpoint can be evaluated without the database. */
  config?: unknown;
}

const OPT = 'optimizer/';
const writeAt = promisify(write);
const flushData = promisify(fdatasync);

/** A checkpoint of at least this many bytes is hashed on a thread of its own, and flushed to the disk as it is written. */
const BIG_CHECKPOINT = 64 * 1024 * 1024;
/** ...every this many bytes, so the final fsync does not wait for the whole file's writeback. */
const FLUSH_EVERY = 256 * 1024 * 1024;

/**
 * Writes a checkpoint as safetensors, atomically: a temp file, fsync, then rename over the final name.
 * A failure (a full disk) leaves no partial file and earlier checkpoints untouched.
 */
export function writeCheckpoint(path: string, c: CheckpointContent): { bytes: number; sha256: string } {
  const tensors: Record<string, Tensor32> = { ...c.weights };
  for (const [k, v] of Object.entries(c.optimizer?.slots ?? {})) tensors[OPT + k] = v;
  const metadata: Record<string, string> = {
    format: 'plateau-checkpoint-1',
    step: String(c.step),
    epoch: String(c.epoch),
    ...(c.optimizer ? { optimizer: JSON.stringify({ kind: c.optimizer.kind, step: c.optimizer.step }) } : {}),
    ...(c.config !== undefined ? { config: JSON.stringify(c.config) } : {}),
  };
  const bytes = encodeSafetensors(tensors, metadata);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    throw writeFailure(path, tmp, fd, err);
  }
  return { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** writeSync may write only part when the disk fills; the next call then throws ENOSPC. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** Closes and removes the temp file, and says why the write failed in the user's words. */
function writeFailure(path: string, tmp: string, fd: number | undefined, err: unknown): Error {
  if (fd !== undefined) closeSync(fd);
  rmSync(tmp, { force: true });
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return invalid(`Could not write checkpoint ${path}: ${why}. Earlier checkpoints are intact.`);
}

/** Writes a checkpoint's weights one tensor at a time (imports of files larger than memory should hold). */
export interface CheckpointWriter {
  /** The next tensor whole, in the order given to `openCheckpointWriter` (a BF16/F16 one narrows back, exactly). */
  write(name: string, data: Float32Array): void;
  /** Part of the next tensor as stored bytes (little-endian, its stored dtype); it is done when all its bytes are in. */
  writeBytes(name: string, bytes: Uint8Array): void;
  /** writeBytes in libuv's pool, so the caller computes while the disk works; `bytes` must stay untouched until it settles. */
  writeBytesAsync(name: string, bytes: Uint8Array): Promise<void>;
  /** fsyncs and renames the file into place; size and sha256 of what was written. */
  finish(): Promise<{ bytes: number; sha256: string }>;
  /** Removes the temp file after a failure elsewhere. */
  abort(): void;
}

/** How an imported tensor is stored: bf16 and f16 as they came (exact, half the disk), every other float as F32. */
export type StoredDtype = 'F32' | 'BF16' | 'F16';
const STORED_WIDTH: Record<StoredDtype, number> = { F32: 4, BF16: 2, F16: 2 };
export const storedDtype = (sourceDtype: string): StoredDtype => (sourceDtype === 'bf16' ? 'BF16' : sourceDtype === 'f2' ? 'F16' : 'F32');

/**
 * The streaming form of writeCheckpoint (weights only): the header first, as every shape is known,
 * then each tensor as it arrives, hashed as it goes; same temp file, fsync and rename.
 */
export function openCheckpointWriter(
  path: string,
  meta: { step: number; epoch: number },
  tensors: readonly { name: string; shape: readonly number[]; stored?: StoredDtype }[],
): CheckpointWriter {
  const metadata = { format: 'plateau-checkpoint-1', step: String(meta.step), epoch: String(meta.epoch) };
  const specs = tensors.map((t) => ({
    name: t.name,
    dtype: t.stored ?? 'F32',
    shape: t.shape,
    byteLength: STORED_WIDTH[t.stored ?? 'F32'] * elementCount(t.shape, `checkpoint ${path}: tensor '${t.name}'`),
  }));
  const tmp = tempPathFor(path);
  const big = specs.reduce((n, s) => n + s.byteLength, 0) >= BIG_CHECKPOINT;
  const hash = big ? threadHash() : inlineHash();
  let fd: number | undefined;
  let bytes = 0;
  let next = 0;
  let partial = 0; // bytes of specs[next] written so far
  let [flushedTo, flushing] = [0, null as Promise<void> | null];
  const fail = (err: unknown) => {
    const e = writeFailure(path, tmp, fd, err);
    fd = undefined;
    hash.close();
    return e;
  };
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw fail(err);
    }
  };
  const put = (b: Uint8Array) => {
    // positional, as the pool's writes are: the file's own offset is never relied on
    for (let done = 0; done < b.byteLength;) done += writeSync(fd!, b, done, b.byteLength - done, bytes + done);
    // a sync write's bytes go to the hash thread as a copy (shared memory is copied here: the caller may reuse it at once);
    // a failed hash thread fails the digest
    hash.update(b.buffer instanceof SharedArrayBuffer ? b.slice() : b)?.catch(() => {});
    bytes += b.byteLength;
  };
  guard(() => {
    fd = openSync(tmp, 'w');
    put(encodeSafetensorsHeader(specs, metadata));
  });
  /** Checks that `b` continues the tensor due next, and counts it in. */
  const admit = (name: string, b: Uint8Array) => {
    const spec = specs[next];
    if (fd === undefined) throw invalid(`checkpoint ${path}: written after it was finished or failed`);
    if (!spec || spec.name !== name || partial + b.byteLength > spec.byteLength) {
      const want = spec ? `tensor '${spec.name}' (${spec.byteLength - partial} of ${spec.byteLength} bytes to go)` : 'no more tensors';
      throw invalid(`checkpoint ${path}: expected ${want}, got ${b.byteLength} bytes of '${name}'`);
    }
    partial += b.byteLength;
    if (partial === spec.byteLength) [next, partial] = [next + 1, 0];
  };
  const writeBytes = (name: string, b: Uint8Array) => {
    admit(name, b);
    guard(() => put(b));
  };
  const writeBytesAsync = async (name: string, b: Uint8Array) => {
    admit(name, b);
    const at = bytes;
    const hashed = hash.update(b); // queued in order, now; the bytes reach the disk in the pool meanwhile
    bytes += b.byteLength;
    try {
      for (let done = 0; done < b.byteLength;) done += (await writeAt(fd!, b, done, b.byteLength - done, at + done)).bytesWritten;
      await hashed;
    } catch (err) {
      await hashed?.catch(() => {}); // `b` is in use until the thread is done with it
      throw fail(err);
    }
    if (big && !flushing && fd !== undefined && bytes - flushedTo >= FLUSH_EVERY) {
      // the disk works on what is written so far while the import goes on (an error shows at the final fsync)
      flushedTo = bytes;
      flushing = flushData(fd)
        .catch(() => {})
        .finally(() => (flushing = null));
    }
  };
  return {
    write(name, data) {
      const spec = specs[next];
      const stored = spec?.dtype === 'BF16' ? narrowTo(data, 'bf16') : spec?.dtype === 'F16' ? narrowTo(data, 'f2') : null;
      if (spec && partial === 0 && (stored ?? data).byteLength !== spec.byteLength) {
        throw invalid(
          `checkpoint ${path}: expected tensor '${spec.name}' of ${spec.byteLength} bytes, got '${name}' of ${data.byteLength}`,
        );
      }
      writeBytes(name, stored ?? new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    },
    writeBytes,
    writeBytesAsync,
    async finish() {
      if (next !== specs.length) throw invalid(`checkpoint ${path}: ${specs.length - next} tensor(s) never written`);
      await flushing;
      let sha256: string;
      try {
        sha256 = await hash.digest();
      } catch (err) {
        throw fail(err);
      }
      guard(() => {
        fsyncSync(fd!);
        closeSync(fd!);
        fd = undefined;
        renameSync(tmp, path);
      });
      return { bytes, sha256 };
    },
    abort() {
      hash.close();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      rmSync(tmp, { force: true });
    },
  };
}

export async function readCheckpoint(path: string): Promise<CheckpointContent> {
  const { tensors, metadata } = parseSafetensors(await readFileOrThrow(path), path);
  if (metadata.format !== 'plateau-checkpoint-1')
    throw invalid(`${path} is not a Plateau training checkpoint (no format tag); import it instead.`);
  const weights: Record<string, Tensor32> = {};
  const slots: Record<string, Tensor32> = {};
  for (const [name, t] of tensors) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    (name.startsWith(OPT) ? slots : weights)[name.startsWith(OPT) ? name.slice(OPT.length) : name] = { shape: t.shape, data };
  }
  const opt = metadata.optimizer ? (JSON.parse(metadata.optimizer) as { kind: string; step: number }) : undefined;
  return {
    step: Number(metadata.step),
    epoch: Number(metadata.epoch),
    weights,
    ...(opt ? { optimizer: { ...opt, slots } } : {}),
    ...(metadata.config ? { config: JSON.parse(metadata.config) } : {}),
  };
}
