import * as tf from '@tensorflow/tfjs';
import { wasmMatMulIsBlas } from './wasm-kernels';

/**
 * matMul whose gradient transposes explicitly. On wasm, matMul with transposeA/B is 10-20x slower
 * than a plain matMul after tf.transpose, and the stock gradient uses exactly those forms.
 * The gradFunc reuses saved inputs and calls itself, so it stays twice differentiable (HVPs)
 * and the second-order pass also avoids the slow path.
 */
type Arg = tf.Tensor | tf.GradSaveFunc;

const explicitMatMul: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad((...args: Arg[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [explicitMatMul(dy as tf.Tensor2D, tf.transpose(sb)), explicitMatMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * Same as above for a constant left operand (the network input): only b gets a gradient,
 * which skips the unused dx product of the first layer (a third of a dense layer's backward cost).
 */
function constLeftMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: Arg[]) => {
    const [bb, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // saved, not closed over: a tidy may dispose `a` before the backward pass runs
    save([a]);
    return {
      value: tf.matMul(a, bb) as tf.Tensor,
      // a^T is data too: differentiable in dy only, so an HVP's second pass skips the unused d(a^T) product.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [constLeftMatMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D)],
    };
  });
  return f(b) as tf.Tensor2D;
}

/** a @ b with b constant (data): only a gets a gradient, dA = dy @ b^T. */
function constRightMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: Arg[]) => {
    const [aa, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([b]);
    return {
      value: tf.matMul(aa, b) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [explicitMatMul(dy as tf.Tensor2D, tf.transpose(saved[0] as tf.Tensor2D))],
    };
  });
  return f(a) as tf.Tensor2D;
}

/** wasm on its own kernels, where transposed products are the slow path; with a BLAS they cost nothing. */
const onWasm = (): boolean => tf.getBackend() === 'wasm' && !wasmMatMulIsBlas();

/** a @ b, differentiable in both; fast gradient on wasm, stock matMul elsewhere (custom is slower on cpu). */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return onWasm() ? explicitMatMul(a, b) : tf.matMul(a, b);
}

/** a @ b where a needs no gradient (data); b is differentiable. */
export function inputMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return onWasm() ? constLeftMatMul(a, b) : tf.matMul(a, b);
}

/**
 * x @ w^T for a PyTorch-layout weight w (out x in). On wasm the forward transposes w explicitly
 * (transposeB is the slow path) and the gradient is written directly: dx = dy @ w, dw = dy^T @ x,
 * which transposes only dy instead of x, w^T's gradient and w. Twice differentiable (saved inputs,
 * products through `matMul`). `isInput`: x is data, so dx is skipped.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, isInput = false): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(x, w, false, true);
  if (isInput) {
    const f = tf.customGrad((...args: Arg[]) => {
      const [ww, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      save([x]); // saved, not closed over: a tidy may dispose x before the backward pass
      return {
        value: tf.matMul(x, tf.transpose(ww)) as tf.Tensor,
        // x is data: dW = dy^T @ x needs a gradient in dy only (the HVP's second pass), never in x.
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [constRightMatMul(tf.transpose(dy as tf.Tensor2D), saved[0] as tf.Tensor2D)],
      };
    });
    return f(w) as tf.Tensor2D;
  }
  return linearBoth(x, w);
}

const linearBoth = tf.customGrad((...args: Arg[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, tf.transpose(w)) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      return [matMul(dy as tf.Tensor2D, sw), matMul(tf.transpose(dy as tf.Tensor2D), sx)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * Batched a @ b ([B, m, k] x [B, k, n] -> [B, m, n]) whose gradient transposes explicitly, for the same
 * reason as `explicitMatMul`; saved inputs and calls to itself keep it twice differentiable. Exported for
 * tests: a machine with a BLAS never takes this route through `batchMatMul`.
 */
export const explicitBatchMatMul: (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D = tf.customGrad((...args: Arg[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor3D[];
      return [
        explicitBatchMatMul(dy as tf.Tensor3D, tf.transpose(sb, [0, 2, 1])),
        explicitBatchMatMul(tf.transpose(sa, [0, 2, 1]), dy as tf.Tensor3D),
      ];
    },
  };
}) as unknown as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/** Batched a @ b, differentiable in both; fast gradient on wasm's own kernels, the stock batched matMul elsewhere. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return onWasm() ? explicitBatchMatMul(a, b) : tf.matMul(a, b);
}
