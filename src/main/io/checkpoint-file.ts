import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { invalid } from '../../shared/api/errors';
import { readFileOrThrow } from './npz';
import { encodeSafetensors, parseSafetensors } from './safetensors';

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
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    // writeSync may write only part when the disk fills; the next call then throws ENOSPC.
    for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw invalid(`Could not write checkpoint ${path}: ${why}. Earlier checkpoints are intact.`);
  }
  return { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function readCheckpoint(path: string): Promise<CheckpointContent> {
  const { tensors, metadata } = parseSafetensors(await readFileOrThrow(path), path);
  if (metadata.format !== 'plateau-checkpoint-1') throw invalid(`${path} is not a Plateau training checkpoint (no format tag); import it instead.`);
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
