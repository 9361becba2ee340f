import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-kernels';

/**
 * Copies a float32 tensor's values into dst at offset. On wasm, straight from its heap: dataSync would
 * first allocate a fresh copy, and fresh memory is what costs (first touch of a page: ~0.3 s per 100 MB
 * on the 2-core VM these were measured on, where the copy itself takes 0.02 s).
 */
export function readInto(t: tf.Tensor, dst: Float32Array, offset: number): void {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackend;
    dst.set(backend.typedArrayFromHeap(t) as Float32Array, offset);
  } else dst.set(t.dataSync() as Float32Array, offset);
}
