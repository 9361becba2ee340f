import * as tf from '@tensorflow/tfjs';
import type { KernelArgs, WasmBackend } from './wasm-kernels';

/**
 * Copies that tfjs-backend-wasm 4.22 routes through a read-back of the whole input (readSync copies it
 * out of wasm memory) and one typed-array view per row: slicing q, k and v out of a GPT's [n T, 3d]
 * product took 30 ms a slice. Here each contiguous run moves once, inside the heap (copyWithin).
 */

/** Float32Array over the whole heap and a tensor's offset in it (4-byte elements). */
function heapOf(backend: WasmBackend, t: tf.TensorInfo): [Float32Array, number] {
  const view = backend.typedArrayFromHeap(t);
  return [new Float32Array(view.buffer), view.byteOffset >> 2];
}

/** Elements per step of each axis of a row-major shape. */
function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/**
 * x[begin : begin + size] for 4-byte dtypes of any rank: the trailing axes taken whole merge into one
 * run, and each run is one memmove. Negative or missing sizes (-1: to the end) are resolved as tfjs does.
 */
export function sliceKernel(args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (!x || (x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return null;
  const parsed = tf.slice_util.parseSliceParams(x, args.attrs?.begin as number[], args.attrs?.size as number[]);
  const [begin, size] = parsed as [number[], number[]];
  const rank = x.shape.length;
  if (begin.length !== rank || size.length !== rank) return null;
  for (let i = 0; i < rank; i++) if (begin[i]! < 0 || size[i]! < 0 || begin[i]! + size[i]! > x.shape[i]!) return null; // tfjs reports it
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  // the run: the innermost axes that are taken whole, plus the first one that is not
  let inner = rank - 1;
  while (inner > 0 && size[inner] === x.shape[inner] && begin[inner] === 0) inner--;
  const strides = stridesOf(x.shape);
  const run = size[inner]! * strides[inner]!;
  // views taken after the allocation: growing the heap replaces its buffer
  const [heap, xo] = heapOf(backend, x);
  const oo = heapOf(backend, out)[1];
  let src = xo;
  for (let i = 0; i <= inner; i++) src += begin[i]! * strides[i]!;
  const idx = new Array<number>(inner).fill(0);
  for (let o = 0; o < total; o += run) {
    heap.copyWithin(oo + o, src, src + run);
    // odometer over the outer axes (0 .. inner - 1)
    let a = inner - 1;
    while (a >= 0) {
      src += strides[a]!;
      if (++idx[a]! < size[a]!) break;
      src -= size[a]! * strides[a]!;
      idx[a] = 0;
      a--;
    }
  }
  return out;
}

/** Name of the row scatter-add (the adjoint of a row gather); registered on wasm. */
export const SCATTER_ROWS = 'PlateauScatterRows';

/**
 * out [rows, w] = sum of dy's rows into the rows ids name: an embedding table's gradient. The matMul
 * route (onehot(ids)^T @ dy) built and transposed a [n, vocab] one-hot every step.
 */
export function scatterRows(args: KernelArgs): tf.TensorInfo {
  const { dy, ids } = args.inputs as Record<'dy' | 'ids', tf.TensorInfo>;
  const rows = args.attrs?.rows as number;
  const [n, w] = dy.shape as [number, number];
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([rows, w], 'float32');
  // views taken after the allocation: growing the heap replaces its buffer
  const [g, o] = [backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(out)] as Float32Array[];
  const idv = backend.typedArrayFromHeap(ids) as Int32Array;
  o!.fill(0);
  for (let i = 0; i < n; i++) {
    const r = idv[i]!;
    if (r < 0 || r >= rows) throw new Error(`embedding id ${r} out of range [0, ${rows})`);
    const [src, dst] = [i * w, r * w];
    for (let j = 0; j < w; j++) o![dst + j] += g![src + j]!;
  }
  return out;
}
