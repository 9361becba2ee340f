// Chunk buffers of the streaming readers (safetensors, torch.save), in shared memory, so the checkpoint
// writer's hash thread (hash-thread.ts) reads a chunk where it lies instead of being sent a copy.

/** Buffers are at least this big (a reader's chunk), so one serves any tensor's chunks. */
const MIN_BYTES = 8 * 1024 * 1024;

/**
 * Reused: a SharedArrayBuffer the hash thread has seen is freed only once both threads have collected it, and
 * that thread allocates too little to collect often, so fresh ones per tensor would pile up (1.4 GB at 6 GB).
 */
const spare: SharedArrayBuffer[] = [];

/** A buffer of `size` bytes in shared memory, from the spares when one fits. */
export function takeSharedChunk(size: number): Uint8Array {
  const i = spare.findIndex((b) => b.byteLength >= size);
  return new Uint8Array(i >= 0 ? spare.splice(i, 1)[0] : new SharedArrayBuffer(Math.max(size, MIN_BYTES)), 0, size);
}

/** Hands a buffer back once nothing (a pool write, the hash thread) uses it any more. */
export function returnSharedChunk(b: Uint8Array): void {
  if (spare.length < 4) spare.push(b.buffer as SharedArrayBuffer);
}
