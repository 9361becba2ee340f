import * as tf from '@tensorflow/tfjs';

/**
 * Data-movement kernels for the CNN, written in JS for the synchronous backends (wasm, cpu).
 * On wasm, tf.slice/pad/concat/transpose of image-sized tensors cost 10-50x a plain JS copy, and
 * they are all an im2col needs. Each op here is linear with a custom gradient that is its adjoint,
 * itself an op here, so any number of differentiations works (HVPs included).
 */

type Arg = tf.Tensor | tf.GradSaveFunc;

/** x [n, h, w, c] -> [9c, n*h*w]: row (kh*3 + kw)*c + ci holds x shifted by (kh-1, kw-1), zero padded. */
function im2colTData(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const m = n * h * w;
  const out = new Float32Array(9 * c * m);
  for (let kh = 0; kh < 3; kh++) {
    for (let kw = 0; kw < 3; kw++) {
      for (let ci = 0; ci < c; ci++) {
        const row = ((kh * 3 + kw) * c + ci) * m;
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < h; i++) {
            const si = i + kh - 1;
            if (si < 0 || si >= h) continue;
            const dst = row + (b * h + i) * w;
            const src = (b * h + si) * w;
            const j0 = Math.max(0, 1 - kw);
            const j1 = Math.min(w, w + 1 - kw);
            for (let j = j0; j < j1; j++) out[dst + j] = x[(src + j + kw - 1) * c + ci];
          }
        }
      }
    }
  }
  return out;
}

/** The adjoint of im2colTData: adds every column entry back to the pixel it came from. */
function col2imTData(g: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const m = n * h * w;
  const out = new Float32Array(m * c);
  for (let kh = 0; kh < 3; kh++) {
    for (let kw = 0; kw < 3; kw++) {
      for (let ci = 0; ci < c; ci++) {
        const row = ((kh * 3 + kw) * c + ci) * m;
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < h; i++) {
            const si = i + kh - 1;
            if (si < 0 || si >= h) continue;
            const dst = row + (b * h + i) * w;
            const src = (b * h + si) * w;
            const j0 = Math.max(0, 1 - kw);
            const j1 = Math.min(w, w + 1 - kw);
            for (let j = j0; j < j1; j++) out[(src + j + kw - 1) * c + ci] += g[dst + j];
          }
        }
      }
    }
  }
  return out;
}

/** im2col, already transposed ([9c, n*h*w]) so the filter gradient is a plain (fast) matMul. */
export function im2colT(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  const f = tf.customGrad((...args: Arg[]) => {
    const xx = args[0] as tf.Tensor4D;
    return {
      value: tf.tensor2d(im2colTData(xx.dataSync() as Float32Array, n, h, w, c), [9 * c, n * h * w]) as tf.Tensor,
      gradFunc: (dy: tf.Tensor) => [col2imT(dy as tf.Tensor2D, [n, h, w, c])],
    };
  });
  return f(x) as tf.Tensor2D;
}

function col2imT(g: tf.Tensor2D, shape: [number, number, number, number]): tf.Tensor4D {
  const [n, h, w, c] = shape;
  const f = tf.customGrad((...args: Arg[]) => {
    const gg = args[0] as tf.Tensor2D;
    return {
      value: tf.tensor4d(col2imTData(gg.dataSync() as Float32Array, n, h, w, c), shape) as tf.Tensor,
      gradFunc: (dy: tf.Tensor) => [im2colT(dy as tf.Tensor4D)],
    };
  });
  return f(g) as tf.Tensor4D;
}

/** out[k] = x[idx[k]] (flat); the gradient scatters back. */
function gatherFlat(x: tf.Tensor, idx: tf.Tensor, outShape: number[]): tf.Tensor {
  const inShape = x.shape;
  const f = tf.customGrad((...args: Arg[]) => {
    const [xx, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([idx]); // saved, not closed over: a tidy may dispose idx before the backward pass
    const src = xx.dataSync() as Float32Array;
    const ix = idx.dataSync() as Int32Array;
    const out = new Float32Array(ix.length);
    for (let k = 0; k < ix.length; k++) out[k] = src[ix[k]];
    return {
      value: tf.tensor(out, outShape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [scatterFlat(dy, saved[0], inShape)],
    };
  });
  return f(x) as tf.Tensor;
}

/** out[idx[k]] += g[k] into zeros of `outShape`; the gradient gathers. */
function scatterFlat(g: tf.Tensor, idx: tf.Tensor, outShape: number[]): tf.Tensor {
  const inShape = g.shape;
  const f = tf.customGrad((...args: Arg[]) => {
    const [gg, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([idx]);
    const src = gg.dataSync() as Float32Array;
    const ix = idx.dataSync() as Int32Array;
    const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
    for (let k = 0; k < ix.length; k++) out[ix[k]] += src[k];
    return {
      value: tf.tensor(out, outShape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [gatherFlat(dy, saved[0], inShape)],
    };
  });
  return f(g) as tf.Tensor;
}

/** Flat index into x [n, h, w, c] of each 2x2 window's maximum (first one on ties). */
function argMax2x2(x: Float32Array, n: number, h: number, w: number, c: number): Int32Array {
  const h2 = h / 2;
  const w2 = w / 2;
  const out = new Int32Array(n * h2 * w2 * c);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        const p00 = ((b * h + 2 * i) * w + 2 * j) * c;
        const p10 = p00 + w * c;
        for (let ci = 0; ci < c; ci++) {
          // window order (0,0), (0,1), (1,0), (1,1); strict > keeps the first maximum
          let best = p00 + ci;
          if (x[p00 + c + ci] > x[best]) best = p00 + c + ci;
          if (x[p10 + ci] > x[best]) best = p10 + ci;
          if (x[p10 + c + ci] > x[best]) best = p10 + c + ci;
          out[k++] = best;
        }
      }
    }
  }
  return out;
}

/** 2x2/2 max pooling as a gather of the window maxima (piecewise linear, so exactly twice differentiable). */
export function maxPool2x2Js(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const idx = tf.tensor1d(argMax2x2(x.dataSync() as Float32Array, n, h, w, c), 'int32');
    return gatherFlat(x, idx, [n, h / 2, w / 2, c]) as tf.Tensor4D;
  });
}
