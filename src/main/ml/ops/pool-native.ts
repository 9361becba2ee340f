import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import type { KernelArgs, WasmBackend } from './wasm-kernels';

/**
 * 2x2/2 max pooling on wasm tensors in place (native/kernels/src/maxpool.c). The JS route (conv-js)
 * reads every activation back, builds an index tensor and uploads the result: half a CNN step once the
 * convolutions ran on the BLAS. Here each kernel recomputes the window maxima of the pooled input x,
 * so no indices exist: pool(x), gather(g; x) (g picked at x's maxima) and scatter(g; x) (its adjoint).
 * Gradients: pool -> scatter, scatter <-> gather in g, and zero in x (the maxima are piecewise constant),
 * so the op is twice differentiable (HVPs) and the zeros are only made in second-order passes.
 */

const POOL = 'PlateauMaxPool2x2';
const GATHER = 'PlateauMaxPoolGather2x2';
const SCATTER = 'PlateauMaxPoolScatter2x2';

type Shape4 = [number, number, number, number];
type Pool = Required<Pick<NativeKernels, 'maxpool2x2'>>['maxpool2x2'];

function poolKernel(pool: Pool, mode: 0 | 1 | 2, args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const g = mode === 0 ? x : (args.inputs.g as tf.TensorInfo);
  const [n, h, w, c] = x.shape as Shape4;
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(mode === 2 ? [n, h, w, c] : [n, h / 2, w / 2, c], 'float32');
  // views taken after the allocation: growing the heap replaces its buffer
  const [xv, gv, ov] = [x, g, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  pool(mode, xv, gv, ov, n, h, w, c);
  return out;
}

const gather = (g: tf.Tensor, x: tf.Tensor): tf.Tensor => tf.engine().runKernel(GATHER, { g, x }) as tf.Tensor;
const scatter = (g: tf.Tensor, x: tf.Tensor): tf.Tensor => tf.engine().runKernel(SCATTER, { g, x }) as tf.Tensor;

let registered = false;
let enabled = true;

/** Registers the kernels on wasm (once, after it has started) where the addon has them. */
export function registerPoolKernels(native: NativeKernels): void {
  const pool = native.maxpool2x2;
  if (registered || !pool) return; // an addon built before maxpool.c: conv-js serves
  const onWasm = (kernelName: string, mode: 0 | 1 | 2) => {
    const kernelFunc = ((a: KernelArgs) => poolKernel(pool, mode, a)) as unknown as tf.KernelFunc;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  onWasm(POOL, 0);
  onWasm(GATHER, 1);
  onWasm(SCATTER, 2);
  tf.registerGradient({ kernelName: POOL, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => scatter(dy as tf.Tensor, x) }) });
  tf.registerGradient({
    kernelName: GATHER,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ g: () => scatter(dy as tf.Tensor, x), x: () => tf.zerosLike(x) }),
  });
  tf.registerGradient({
    kernelName: SCATTER,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ g: () => gather(dy as tf.Tensor, x), x: () => tf.zerosLike(x) }),
  });
  registered = true;
}

/** Whether maxPool2x2 runs on the native kernels here (wasm is the backend, they are registered and not switched off). */
export const poolNative = (): boolean => enabled && registered && tf.getBackend() === 'wasm';

/** Switches the native route off or back on (tests and the bench compare it with conv-js); returns the old setting. */
export function setNativePool(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** 2x2/2 max pooling of x [n, h, w, c] (h, w even; checked by the caller). */
export const nativeMaxPool2x2 = (x: tf.Tensor4D): tf.Tensor4D => tf.engine().runKernel(POOL, { x }) as tf.Tensor4D;
