import { createRequire } from 'node:module';
import { resolve } from 'node:path';

/**
 * The optional `@plateau/kernels` addon (native/kernels): kernels run natively on tfjs-wasm tensors
 * where they lie in wasm memory. Null where it was not built (no C compiler at install).
 */
export interface NativeKernels {
  /** dlopen a BLAS library; true once one with cblas_sgemm is open (the first stays). */
  open(path: string): boolean;
  /** Row-major c[m x n] = op(a) op(b); operands are checked against the sizes. */
  sgemm(transA: number, transB: number, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
  /** Process-wide thread count of the BLAS; false if it has no such control (Accelerate). */
  setThreads(n: number): boolean;
  /** Which float64 entry points the open BLAS library has (all false before open()). Optional: older builds lack it. */
  linalg?(): { dgemm: boolean; dsyrk: boolean; dsyevd: boolean };
  /** Row-major float64 c[m x n] = alpha op(a) op(b) + beta c; leading dimensions default to the packed ones. */
  dgemm?(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float64Array,
    b: Float64Array,
    beta: number,
    c: Float64Array,
    lda?: number,
    ldb?: number,
    ldc?: number,
  ): void;
  /** c[n x n] = alpha a a^T + beta c (a n x k), or alpha a^T a + beta c with trans (a k x n); c comes back whole (both triangles). */
  dsyrk?(trans: number, n: number, k: number, alpha: number, a: Float64Array, beta: number, c: Float64Array): void;
  /**
   * LAPACK dsyevd: w = eigenvalues ascending; with vectors, a[k * n + i] = component i of eigenvector k. Returns LAPACK's
   * info. threads > 0: this call on that many OpenBLAS threads (restored after).
   */
  dsyevd?(n: number, a: Float64Array, w: Float64Array, vectors: boolean, threads?: number): number;
  /** Rows of logits z (rows x C) become softmax(z + bias); out[3r..3r+2] = argmax, loss of labels[r], sum_c p_c (1 - p_c). */
  softmaxRows?(z: Float64Array, rows: number, C: number, bias: Float64Array, labels: Int32Array, out: Float64Array): void;
  /** One Adam/AdamW step into fresh outputs (see adam.ts for the formula); all arrays of one length. */
  adam(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    bc1: number,
    sqrtBc2: number,
    l2: number,
    keep: number,
  ): void;
  /**
   * cols [n*h*w, 9c] from x [n, h, w, c]: each row the zero-padded 3x3 window of one pixel, (kh, kw, c) order.
   * Optional: an addon built before it was added lacks it (and col2im3x3).
   */
  im2col3x3?(x: Float32Array, cols: Float32Array, n: number, h: number, w: number, c: number): void;
  /** The adjoint of im2col3x3: x [n, h, w, c] = every column entry added back to the pixel it came from. */
  col2im3x3?(cols: Float32Array, x: Float32Array, n: number, h: number, w: number, c: number): void;
  /**
   * 2x2/2 max pooling of x [n, h, w, c] by its window maxima (first on ties): mode 0 out = pooled x, 1 out = g
   * picked at x's maxima (g like x), 2 out = g [n, h/2, w/2, c] put back at x's maxima, zeros elsewhere. Optional.
   */
  maxpool2x2?(mode: 0 | 1 | 2, x: Float32Array, g: Float32Array, out: Float32Array, n: number, h: number, w: number, c: number): void;
  /** GPT-2's tanh GELU: mode 0 out = gelu(x) (a unread), 1 out = a * gelu'(x); one length. Optional (as are the three below). */
  gelu?(mode: 0 | 1, x: Float32Array, a: Float32Array, out: Float32Array): void;
  /** y = (x - mean) / sqrt(var + eps) * g + b over rows of d (x, y [rows * d]; g, b [d]). */
  layerNorm?(x: Float32Array, g: Float32Array, b: Float32Array, y: Float32Array, d: number, eps: number): void;
  /** LayerNorm's backward: dx [rows * d]; dg, db [d] summed over rows. */
  layerNormGrad?(
    dy: Float32Array,
    x: Float32Array,
    g: Float32Array,
    dx: Float32Array,
    dg: Float32Array,
    db: Float32Array,
    d: number,
    eps: number,
  ): void;
  /** Mean cross-entropy of rows of logits z against target rows y (each summing to 1); grad = (softmax(z) - y) / rows. */
  softmaxXent?(z: Float32Array, y: Float32Array, grad: Float32Array, C: number): number;
  /**
   * Causal self-attention on the open BLAS: qkv [n T, 3d] (q | k | v per row) -> out [n T, d], probs [n heads, T, T]
   * (kept for the backward). Optional, as is attentionBackward.
   */
  attentionForward?(qkv: Float32Array, out: Float32Array, probs: Float32Array, n: number, T: number, heads: number): void;
  /** dqkv [n T, 3d] from dout [n T, d], the forward's qkv and probs. */
  attentionBackward?(
    dout: Float32Array,
    qkv: Float32Array,
    probs: Float32Array,
    dqkv: Float32Array,
    n: number,
    T: number,
    heads: number,
  ): void;
}

// Not named `require`: the bundler injects its own `require` shim into ESM output.
const nodeRequire = createRequire(import.meta.url);
let addon: NativeKernels | null | undefined;

/**
 * The addon (loaded once per thread), or null. PLATEAU_NATIVE=off leaves it out; PLATEAU_NATIVE=<file.node>
 * loads that build (relative to the working directory) instead of the package's: a worktree whose
 * node_modules links another checkout's addon.
 */
export function nativeKernels(): NativeKernels | null {
  if (addon !== undefined) return addon;
  const wanted = process.env.PLATEAU_NATIVE;
  try {
    addon = wanted === 'off' ? null : (nodeRequire(wanted ? resolve(wanted) : '@plateau/kernels') as NativeKernels);
  } catch {
    addon = null;
  }
  return addon;
}
