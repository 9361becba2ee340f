import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import type { KernelArgs, WasmBackend } from './wasm-kernels';

/**
 * 3x3 convolution (stride 1, padding 1) as im2col + one sgemm on the system BLAS, on wasm tensors in
 * place: XNNPACK runs single-threaded once a BLAS is in use and wasm has no filter-gradient kernel.
 * im2col and col2im are native kernels (native/kernels/src/im2col.c), each the other's gradient; with
 * matMul's own gradient (transposed products, free on the BLAS) every derivative is built from the
 * three, so any number of differentiations works (HVPs included) and the tape skips what is unused
 * (no input gradient for the data).
 */

const IM2COL = 'PlateauIm2col3x3';
const COL2IM = 'PlateauCol2im3x3';

type Shape4 = [number, number, number, number];
type Native = Required<Pick<NativeKernels, 'im2col3x3' | 'col2im3x3'>>;

function im2colKernel(native: Native, args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const [n, h, w, c] = x.shape as Shape4;
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([n * h * w, 9 * c], 'float32');
  // views taken after the allocation: growing the heap replaces its buffer
  native.im2col3x3(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array, n, h, w, c);
  return out;
}

function col2imKernel(native: Native, args: KernelArgs): tf.TensorInfo {
  const cols = args.inputs.x as tf.TensorInfo;
  const [n, h, w, c] = args.attrs!.shape as Shape4;
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([n, h, w, c], 'float32');
  native.col2im3x3(backend.typedArrayFromHeap(cols) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array, n, h, w, c);
  return out;
}

/** x [n, h, w, c] -> [n*h*w, 9c]: row per pixel, its zero-padded 3x3 window in (kh, kw, c) order. */
const im2col = (x: tf.Tensor4D): tf.Tensor2D => tf.engine().runKernel(IM2COL, { x }, { shape: x.shape }) as tf.Tensor2D;

/** The adjoint of im2col: each entry of cols added back to the pixel of `shape` it came from. */
const col2im = (cols: tf.Tensor2D, shape: Shape4): tf.Tensor4D => tf.engine().runKernel(COL2IM, { x: cols }, { shape }) as tf.Tensor4D;

let registered = false;
let enabled = true;

/** Registers the two kernels on wasm (once, after it has started) where the addon has them. */
export function registerConvKernels(native: NativeKernels): void {
  const { im2col3x3, col2im3x3 } = native;
  if (registered || !im2col3x3 || !col2im3x3) return; // an addon built before im2col.c: the existing route serves
  const kernels = { im2col3x3, col2im3x3 };
  const onWasm = (kernelName: string, f: (a: KernelArgs) => tf.TensorInfo) =>
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: f as unknown as tf.KernelFunc });
  onWasm(IM2COL, (a) => im2colKernel(kernels, a));
  onWasm(COL2IM, (a) => col2imKernel(kernels, a));
  // linear maps: each gradient is the other map, so the tape can differentiate them again
  tf.registerGradient({ kernelName: IM2COL, gradFunc: (dy, _s, attrs) => ({ x: () => col2im(dy as tf.Tensor2D, attrs.shape as Shape4) }) });
  tf.registerGradient({ kernelName: COL2IM, gradFunc: (dy) => ({ x: () => im2col(dy as tf.Tensor4D) }) });
  registered = true;
}

/** Whether conv3x3 runs here on im2col + BLAS: wasm is the backend, the kernels are registered and not switched off. */
export const convOnBlas = (): boolean => enabled && registered && tf.getBackend() === 'wasm';

/** Switches the BLAS route off or back on (tests and the bench compare it with the XNNPACK route); returns the old setting. */
export function setBlasConv(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** 'same' 3x3 convolution of x [n, h, w, in] (NHWC) with w [out, in, 3, 3] (PyTorch layout): im2col(x) @ w as [9 in, out]. */
export function blasConv3x3(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const [n, h, wd, c] = x.shape;
  const cout = w.shape[0];
  if (w.shape[1] !== c || w.shape[2] !== 3 || w.shape[3] !== 3) {
    throw new Error(`conv3x3: weight ${w.shape.join('x')} does not fit ${c} input channels (want [out, ${c}, 3, 3])`);
  }
  return tf.tidy(() => {
    const wm = tf.reshape(tf.transpose(w, [2, 3, 1, 0]), [9 * c, cout]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(im2col(x), wm), [n, h, wd, cout]) as tf.Tensor4D;
  });
}
