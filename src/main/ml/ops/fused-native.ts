import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { addRow, mulRow, sumRows } from './broadcast';
import type { KernelArgs, WasmBackend } from './wasm-kernels';

/**
 * GPT-2's GELU, LayerNorm and the training cross-entropy as single native passes on wasm tensors
 * (native/kernels/src/fused.c); composed from tfjs ops they were 10-30 kernels each and ~40% of a GPT
 * step. Each op is a customGrad whose backward is one native kernel too, except when the backward is
 * itself being recorded (a Hessian-vector product differentiates it again): then it is written from
 * tfjs ops on the saved inputs, so the ops stay twice differentiable. Without the addon, or on another
 * backend, the composite forms below run.
 */

const GELU = 'PlateauGelu';
const GELU_GRAD = 'PlateauGeluGrad';
const LAYER_NORM = 'PlateauLayerNorm';
const LAYER_NORM_GRAD = 'PlateauLayerNormGrad';
const SOFTMAX_XENT = 'PlateauSoftmaxXent';

type Fused = Required<Pick<NativeKernels, 'gelu' | 'layerNorm' | 'layerNormGrad' | 'softmaxXent'>>;
type Arg = tf.Tensor | tf.GradSaveFunc;

/** Float32 views of tensors in wasm memory, taken after every output is allocated (growing the heap replaces its buffer). */
const views = (backend: WasmBackend, ts: tf.TensorInfo[]) => ts.map((t) => backend.typedArrayFromHeap(t) as Float32Array);

function kernels(native: Fused): Record<string, (a: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> {
  return {
    [GELU]: ({ inputs, backend }) => {
      const b = backend as WasmBackend;
      const out = b.makeOutput(inputs.x!.shape, 'float32');
      const [x, o] = views(b, [inputs.x!, out]);
      native.gelu(0, x!, x!, o!);
      return out;
    },
    [GELU_GRAD]: ({ inputs, backend }) => {
      const b = backend as WasmBackend;
      const out = b.makeOutput(inputs.x!.shape, 'float32');
      const [dy, x, o] = views(b, [inputs.dy!, inputs.x!, out]);
      native.gelu(1, x!, dy!, o!);
      return out;
    },
    [LAYER_NORM]: ({ inputs, backend, attrs }) => {
      const b = backend as WasmBackend;
      const { x, gain, bias } = inputs as Record<string, tf.TensorInfo>;
      const out = b.makeOutput(x.shape, 'float32');
      const [xv, g, bv, o] = views(b, [x, gain, bias, out]);
      native.layerNorm(xv!, g!, bv!, o!, x.shape[1]!, attrs!.eps as number);
      return out;
    },
    [LAYER_NORM_GRAD]: ({ inputs, backend, attrs }) => {
      const b = backend as WasmBackend;
      const { dy, x, gain } = inputs as Record<string, tf.TensorInfo>;
      const d = x.shape[1]!;
      const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput([d], 'float32'), b.makeOutput([d], 'float32')];
      const [dyv, xv, g, dx, dg, db] = views(b, [dy, x, gain, ...outs]);
      native.layerNormGrad(dyv!, xv!, g!, dx!, dg!, db!, d, attrs!.eps as number);
      return outs;
    },
    [SOFTMAX_XENT]: ({ inputs, backend }) => {
      const b = backend as WasmBackend;
      const { z, y } = inputs as Record<string, tf.TensorInfo>;
      const outs = [b.makeOutput([], 'float32'), b.makeOutput(z.shape, 'float32')];
      const [zv, yv, loss, grad] = views(b, [z, y, ...outs]);
      loss![0] = native.softmaxXent(zv!, yv!, grad!, z.shape[1]!);
      return outs;
    },
  };
}

let registered = false;
let enabled = true;

/** Registers the fused kernels on wasm (once, after it has started) where the addon has them. */
export function registerFusedKernels(native: NativeKernels): void {
  const { gelu, layerNorm: ln, layerNormGrad, softmaxXent } = native;
  if (registered || !gelu || !ln || !layerNormGrad || !softmaxXent) return; // an older addon: the composites serve
  for (const [kernelName, f] of Object.entries(kernels({ gelu, layerNorm: ln, layerNormGrad, softmaxXent })))
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: f as unknown as tf.KernelFunc });
  registered = true;
}

/** Whether the fused kernels serve here (wasm is the backend, the addon has them, and they are not switched off). */
export const fusedNative = (): boolean => enabled && registered && tf.getBackend() === 'wasm';

/** Switches the fused kernels (and the native attention) off or back on, for tests comparing routes; returns the old setting. */
export function setFusedNative(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs);
/** The backward pass is being recorded: a later pass differentiates it, so it must be made of tfjs ops. */
const taping = (): boolean => tf.engine().isTapeOn();

const [GELU_C, GELU_K] = [Math.sqrt(2 / Math.PI), 0.044715];
const geluInner = (x: tf.Tensor) => tf.tanh(tf.mul(GELU_C, tf.add(x, tf.mul(GELU_K, tf.mul(tf.square(x), x)))));

/** GPT-2's GELU (the tanh approximation, `gelu_new`) from elementwise tfjs ops: twice differentiable. */
export function geluComposite(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.mul(0.5, x), tf.add(1, geluInner(x))) as tf.Tensor2D;
}

/** gelu'(x) = (1 + t) / 2 + x (1 - t^2) c (1 + 3 k x^2) / 2, t = tanh(c (x + k x^3)), from tfjs ops. */
function geluDerivative(x: tf.Tensor): tf.Tensor {
  const t = geluInner(x);
  const du = tf.mul(GELU_C, tf.add(1, tf.mul(3 * GELU_K, tf.square(x))));
  return tf.add(tf.mul(0.5, tf.add(1, t)), tf.mul(tf.mul(tf.mul(0.5, x), tf.sub(1, tf.square(t))), du));
}

const geluFused = tf.customGrad((...args: Arg[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: run(GELU, { x }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) =>
      taping() ? tf.mul(dy, geluDerivative(sx!)) : (run(GELU_GRAD, { dy, x: sx! }) as tf.Tensor),
  };
}) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;

/** GPT-2's GELU: one native pass on wasm with the addon, the composite elsewhere. */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return fusedNative() ? geluFused(x) : geluComposite(x);
}

/** LayerNorm over the last axis of [rows, d], PyTorch's eps; written from twice-differentiable ops. */
export function layerNormComposite(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  const xc = tf.sub(x, tf.mean(x, 1, true));
  const std = tf.sqrt(tf.add(tf.mean(tf.square(xc), 1, true), eps));
  return addRow(mulRow(tf.div(xc, std) as tf.Tensor2D, gain), bias);
}

/** LayerNorm's backward from tfjs ops (dx = rstd (e - mean e - xh mean(e xh)), e = dy g; dg = sum dy xh; db = sum dy). */
function layerNormBackward(dy: tf.Tensor2D, x: tf.Tensor2D, gain: tf.Tensor1D, eps: number): tf.Tensor[] {
  const xc = tf.sub(x, tf.mean(x, 1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), 1, true), eps));
  const xh = tf.mul(xc, rstd) as tf.Tensor2D;
  const e = mulRow(dy, gain);
  const dx = tf.mul(rstd, tf.sub(tf.sub(e, tf.mean(e, 1, true)), tf.mul(xh, tf.mean(tf.mul(e, xh), 1, true))));
  return [dx, sumRows(tf.mul(dy, xh) as tf.Tensor2D), sumRows(dy)];
}

function layerNormFused(eps: number) {
  return tf.customGrad((...args: Arg[]) => {
    const [x, gain, bias, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    save([x, gain]);
    return {
      value: run(LAYER_NORM, { x, gain, bias }, { eps }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg] = saved as [tf.Tensor2D, tf.Tensor1D];
        if (taping()) return layerNormBackward(dy as tf.Tensor2D, sx, sg, eps);
        return run(LAYER_NORM_GRAD, { dy, x: sx, gain: sg }, { eps }) as tf.Tensor[];
      },
    };
  }) as unknown as (x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor) => tf.Tensor2D;
}

const layerNormPyTorch = layerNormFused(1e-5);

/** LayerNorm over the last axis of [rows, d] (gain and bias [d]): one native pass on wasm with the addon. */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  if (!fusedNative() || x.rank !== 2 || gain.rank !== 1 || bias.rank !== 1) return layerNormComposite(x, gain, bias, eps);
  return (eps === 1e-5 ? layerNormPyTorch : layerNormFused(eps))(x, gain, bias);
}

/**
 * Mean softmax cross-entropy of logits z against target rows y (each summing to 1), in one native pass
 * that also leaves (softmax(z) - y) / rows for the backward; null where the kernel does not serve.
 * First-order only, like trainingCrossEntropy: y gets no gradient.
 */
export function fusedTrainingCrossEntropy(z: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar | null {
  if (!fusedNative() || z.shape.join('x') !== y.shape.join('x') || y.dtype !== 'float32') return null;
  const f = tf.customGrad((...args: Arg[]) => {
    const [zz, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const [loss, grad] = run(SOFTMAX_XENT, { z: zz, y }) as [tf.Scalar, tf.Tensor2D];
    save([grad!]);
    return { value: loss!, gradFunc: (dy: tf.Tensor, [g]: tf.Tensor[]) => tf.mul(g!, dy) };
  });
  return f(z) as tf.Scalar;
}

/**
 * The same mean cross-entropy as a value only (evaluation: nothing differentiates it), or null where the
 * kernel does not serve. tfjs's log-sum-exp took a quarter of a grokking run, its Exp kernel most of that.
 */
export function fusedCrossEntropyValue(z: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar | null {
  if (!fusedNative() || taping() || z.shape.join('x') !== y.shape.join('x') || y.dtype !== 'float32') return null;
  const [loss, grad] = run(SOFTMAX_XENT, { z, y }) as [tf.Scalar, tf.Tensor2D];
  grad!.dispose();
  return loss!;
}
