import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { fusedNative } from './fused-native';
import type { KernelArgs, WasmBackend } from './wasm-kernels';

/**
 * Causal multi-head self-attention straight from a GPT block's fused q|k|v projection, on wasm tensors
 * with the native kernels (native/kernels/src/attention.c: per-head sgemm at leading dimension 3d, one
 * softmax pass). tfjs's route (`multiHeadAttention` after three slices) spent ~25 kernels per block on
 * slices, transposes, scale, mask and softmax. First-order only: the backward is one native kernel, so
 * a forward that will be differentiated twice (an HVP's inner pass) takes the tfjs route instead.
 */

const FORWARD = 'PlateauCausalAttention';
const BACKWARD = 'PlateauCausalAttentionGrad';

type Attention = Required<Pick<NativeKernels, 'attentionForward' | 'attentionBackward'>>;
type Arg = tf.Tensor | tf.GradSaveFunc;
interface Dims {
  n: number;
  T: number;
  heads: number;
}

function forwardKernel(native: Attention, { inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmBackend;
  const { n, T, heads } = attrs as unknown as Dims;
  const qkv = inputs.qkv!;
  const outs = [b.makeOutput([n * T, qkv.shape[1]! / 3], 'float32'), b.makeOutput([n * heads, T, T], 'float32')];
  // views taken after the allocations: growing the heap replaces its buffer
  const [q, out, probs] = [qkv, ...outs].map((t) => b.typedArrayFromHeap(t) as Float32Array);
  native.attentionForward(q!, out!, probs!, n, T, heads);
  return outs;
}

function backwardKernel(native: Attention, { inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { n, T, heads } = attrs as unknown as Dims;
  const { dy, qkv, probs } = inputs as Record<string, tf.TensorInfo>;
  const out = b.makeOutput(qkv.shape, 'float32');
  const [g, q, p, dq] = [dy, qkv, probs, out].map((t) => b.typedArrayFromHeap(t) as Float32Array);
  native.attentionBackward(g!, q!, p!, dq!, n, T, heads);
  return out;
}

let registered = false;

/** Registers the kernels on wasm (once, after it has started) where the addon has them and a BLAS is open. */
export function registerAttentionKernels(native: NativeKernels): void {
  const { attentionForward, attentionBackward } = native;
  if (registered || !attentionForward || !attentionBackward) return;
  const k = { attentionForward, attentionBackward };
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ((a: KernelArgs) => forwardKernel(k, a)) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ((a: KernelArgs) => backwardKernel(k, a)) as unknown as tf.KernelFunc,
  });
  registered = true;
}

/** Gradient passes open around this forward: 2 or more means its own backward will be differentiated again. */
const gradientDepth = (): number => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth;

/**
 * softmax(Q K^T / sqrt(dh) + causal mask) V per head, heads concatenated: [n T, d] from qkv [n T, 3d]
 * (rows batch-major, q | k | v). Null where the native route does not serve (another backend, no addon
 * or BLAS, fused kernels switched off, or a forward under two gradient passes); the caller then takes `multiHeadAttention`.
 */
export function fusedCausalSelfAttention(qkv: tf.Tensor2D, n: number, T: number, heads: number): tf.Tensor2D | null {
  if (!registered || !fusedNative() || gradientDepth() > 1) return null;
  const d = qkv.shape[1] / 3;
  if (qkv.shape[0] !== n * T || !Number.isInteger(d) || d % heads !== 0) return null;
  const attrs = { n, T, heads };
  const f = tf.customGrad((...args: Arg[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const [out, probs] = tf.engine().runKernel(FORWARD, { qkv: x }, attrs) as tf.Tensor[];
    save([x, probs!]);
    return {
      value: out!,
      gradFunc: (dy: tf.Tensor, [sx, sp]: tf.Tensor[]) => {
        if (tf.engine().isTapeOn()) throw new Error('fused attention is first-order only: its forward should have taken the tfjs route');
        return tf.engine().runKernel(BACKWARD, { dy, qkv: sx!, probs: sp! }, attrs) as tf.Tensor;
      },
    };
  });
  return f(qkv) as tf.Tensor2D;
}
