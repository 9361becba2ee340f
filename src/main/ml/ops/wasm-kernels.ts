import * as tf from '@tensorflow/tfjs';
import type { Blas } from '../blas';
import { sgemm } from '../blas-threads';
import type { NativeKernels } from '../native';
import { registerAttentionKernels } from './attention-native';
import { registerConvKernels } from './conv-blas';
import { registerFusedKernels } from './fused-native';
import { registerPoolKernels } from './pool-native';
import { SCATTER_ROWS, scatterRows, sliceKernel } from './wasm-copy-kernels';

/**
 * Kernels tfjs-backend-wasm 4.22 is slow at on the shapes training lives on, registered over its own
 * once wasm has started. Each handles its common case and hands every other case to the original.
 */

/** The parts of tfjs-backend-wasm's backend these kernels use (public methods of BackendWasm). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
  incRef(dataId: tf.DataId): void;
}

/** What tfjs hands a kernel. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const TILE = 16; // 16 x 16 float tiles: both sides of the copy stay in L1 (measured fastest of 8..64)

/** dst[j, i] = src[i, j] for an r x c matrix, tile by tile (the stock kernel strides through memory: ~4x slower). */
export function transposeInto(src: Float32Array, dst: Float32Array, r: number, c: number): void {
  for (let i0 = 0; i0 < r; i0 += TILE) {
    const i1 = Math.min(r, i0 + TILE);
    for (let j0 = 0; j0 < c; j0 += TILE) {
      const j1 = Math.min(c, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const row = i * c;
        for (let j = j0; j < j1; j++) dst[j * r + i] = src[row + j];
      }
    }
  }
}

function transpose2d(args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  const perm = args.attrs?.perm as number[] | undefined;
  if (!x || x.dtype !== 'float32' || x.shape.length !== 2 || perm?.[0] !== 1) return null;
  const [r, c] = x.shape as [number, number];
  if (r < 2 || c < 2) return null; // a vector: the original reshapes it for free
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([c, r], 'float32');
  // views taken after the allocation: growing the heap replaces its buffer
  transposeInto(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array, r, c);
  return out;
}

/**
 * Rows of a float matrix picked by int32 ids (embedding lookups), copied inside wasm memory: the stock
 * kernel walks element by element, and a JS lookup paid a read-back and an upload of every batch.
 */
function gatherRows(args: KernelArgs): tf.TensorInfo | null {
  const { x, indices } = args.inputs as Record<'x' | 'indices', tf.TensorInfo>;
  if (x.dtype !== 'float32' || x.shape.length !== 2 || indices.dtype !== 'int32' || indices.shape.length !== 1) return null;
  if ((args.attrs?.axis ?? 0) !== 0 || (args.attrs?.batchDims ?? 0) !== 0) return null;
  const [rows, width] = x.shape as [number, number];
  const backend = args.backend as WasmBackend;
  const ids = backend.typedArrayFromHeap(indices) as Int32Array;
  for (const r of ids) if (r < 0 || r >= rows) throw new Error(`embedding id ${r} out of range [0, ${rows})`);
  const out = backend.makeOutput([ids.length, width], 'float32');
  // views taken after the allocation: growing the heap replaces its buffer
  const [table, dst, idv] = [backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), backend.typedArrayFromHeap(indices)] as [
    Float32Array,
    Float32Array,
    Int32Array,
  ];
  // one memmove per row within the heap (a subarray view per row cost as much as the copy)
  const heap = new Float32Array(dst.buffer);
  const [src, to] = [table.byteOffset >> 2, dst.byteOffset >> 2];
  for (let i = 0; i < idv.length; i++) heap.copyWithin(to + i * width, src + idv[i]! * width, src + (idv[i]! + 1) * width);
  return out;
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * BatchMatMul through the system BLAS, on the operands where they lie in wasm memory. Transposed
 * operands cost nothing here (BLAS reads either layout), unlike wasm's own kernel. Batches loop over
 * sgemm, broadcasting a single matrix on either side.
 */
function blasMatMul(blas: Blas, args: KernelArgs): tf.TensorInfo | null {
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  const ta = !!args.attrs?.transposeA;
  const tb = !!args.attrs?.transposeB;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [m, k, k2, n] = [ta ? ac : ar, ta ? ar : ac, tb ? bc : br, tb ? br : bc];
  const batchA = product(a.shape.slice(0, -2));
  const batchB = product(b.shape.slice(0, -2));
  const sameOuter = a.shape.length === b.shape.length && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
  if (k !== k2 || m * n * k === 0 || !(sameOuter || batchA === 1 || batchB === 1)) return null; // tfjs reports the error
  const outer = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // views taken after the allocation: growing the heap replaces its buffer
  const [av, bv, cv] = [a, b, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  for (let i = 0; i < Math.max(batchA, batchB); i++) {
    const ai = batchA === 1 ? av : av.subarray(i * m * k, (i + 1) * m * k);
    const bi = batchB === 1 ? bv : bv.subarray(i * k * n, (i + 1) * k * n);
    sgemm(blas, ta ? 1 : 0, tb ? 1 : 0, m, n, k, ai, bi, cv.subarray(i * m * n, (i + 1) * m * n));
  }
  return out;
}

/** Name of the fused Adam/AdamW update (outputs p', m', v'); registered where the native kernels are. */
export const FUSED_ADAM = 'PlateauFusedAdam';

/** Per-step constants of one Adam update (adam.ts has the formula). */
export interface FusedAdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 - beta1^t */
  bc1: number;
  /** sqrt(1 - beta2^t) */
  sqrtBc2: number;
  /** coupled L2 (Adam's weight decay): g += l2 * p */
  l2: number;
  /** decoupled decay (AdamW): p *= keep before the step, keep = 1 - lr * wd */
  keep: number;
}

/** One native pass over p, g, m, v into fresh outputs (tfjs spent ~12 element-wise kernels: a third of an MLP step). */
function fusedAdam(native: NativeKernels, args: KernelArgs): tf.TensorInfo[] {
  const { p, g, m, v } = args.inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
  const a = args.attrs as unknown as FusedAdamAttrs;
  const backend = args.backend as WasmBackend;
  const outs = [p, m, v].map((t) => backend.makeOutput(t.shape.slice(), 'float32'));
  // views taken after the allocations: growing the heap replaces its buffer
  const [pv, gv, mv, vv, po, mo, vo] = [p, g, m, v, ...outs].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  native.adam(pv, gv, mv, vv, po, mo, vo, a.lr, a.beta1, a.beta2, a.eps, a.bc1, a.sqrtBc2, a.l2, a.keep);
  return outs;
}

/**
 * A clone that shares the data (one more reference), as the cpu backend's does: tensors are immutable and
 * every kernel writes a fresh output, so a copy buys nothing. wasm's own copies the buffer, and tfjs clones
 * every tensor it saves for the backward pass: ~7% of a GPT training step went to those copies.
 */
function shareIdentity(args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (!x || x.dtype === 'string') return null;
  (args.backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

type Handler = (args: KernelArgs) => tf.TensorInfo | null;

/** Puts `handler` in front of wasm's kernel `name`; the original runs whatever the handler declines. */
function override(name: string, handler: Handler): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: (args) => handler(args) ?? original.kernelFunc(args) });
}

let installed = false;
let matMulIsBlas = false;

/** Whether wasm's matrix products run on a BLAS (which reads transposed operands at no cost). */
export const wasmMatMulIsBlas = (): boolean => matMulIsBlas;

/** Puts the faster kernels in front of wasm's own (once; after the backend has started). */
export function installWasmKernels(blas: Blas | null, native: NativeKernels | null): void {
  if (installed) return;
  installed = true;
  override('Identity', shareIdentity);
  override('Transpose', transpose2d);
  override('GatherV2', gatherRows);
  override('Slice', sliceKernel);
  tf.registerKernel({ kernelName: SCATTER_ROWS, backendName: 'wasm', kernelFunc: scatterRows as unknown as tf.KernelFunc });
  if (native)
    tf.registerKernel({
      kernelName: FUSED_ADAM,
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => fusedAdam(native, args)) as unknown as tf.KernelFunc,
    });
  if (blas) override('BatchMatMul', (args) => blasMatMul(blas, args));
  if (blas && native) registerConvKernels(native);
  if (native) registerPoolKernels(native);
  if (native) registerFusedKernels(native);
  if (blas && native) registerAttentionKernels(native);
  matMulIsBlas = !!blas;
}
