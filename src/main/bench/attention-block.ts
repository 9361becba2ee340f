import * as tf from '@tensorflow/tfjs';
import { benchBackend, type BenchCase } from './bench-case';
import { torchMs, withReference } from './torch-reference';
import { createRng, normalArray } from '../ml/data/prng';
import { attend, headIndicator, multiHeadAttention } from '../ml/ops/attention';
import { linear } from '../ml/ops/matmul';

const BATCH = 32;
const T = 128;
const D = 128;
const HEADS = 4;
const WARMUP = 2;
const STEPS = 5;
/** Best block on both sides: the machine is shared, and torch's spinning threads suffer most. */
const BLOCKS = 3;

/** The same step in PyTorch, textbook attention (nn.Linear layout: x @ W^T), timed by Python itself; ms per step. */
const TORCH_SCRIPT = `
import sys, time, math, torch
threads, warmup, steps, blocks = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
n, T, d, H = ${BATCH}, ${T}, ${D}, ${HEADS}
dh = d // H
x = torch.randn(n, T, d, requires_grad=True)
ws = [torch.nn.Parameter(torch.randn(d, d) / math.sqrt(d)) for _ in range(4)]
r = torch.randn(n, T, d)
mask = torch.full((T, T), float('-inf')).triu(1)
split = lambda t: t.view(n, T, H, dh).transpose(1, 2)
def step():
    q, k, v = (split(x @ w.t()) for w in ws[:3])
    a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dh) + mask, -1) @ v
    out = a.transpose(1, 2).reshape(n, T, d) @ ws[3].t()
    return torch.autograd.grad((out * r).sum(), [x] + ws)
for _ in range(warmup): step()
best = float('inf')
for _ in range(blocks):
    t0 = time.perf_counter()
    for _ in range(steps): step()
    best = min(best, (time.perf_counter() - t0) * 1000 / steps)
print(best)
`;

type Loss = (x: tf.Tensor, ...w: tf.Tensor[]) => tf.Scalar;

/** One attention block's loss sum(out * r), x batch-major [n, T, d], through `multiHeadAttention`. */
function batchedLoss(r: tf.Tensor2D): Loss {
  return (x, ...w) => {
    const h = tf.reshape(x, [BATCH * T, D]) as tf.Tensor2D;
    const [q, k, v] = w.slice(0, 3).map((wi) => tf.reshape(linear(h, wi as tf.Tensor2D), [BATCH, T, D]) as tf.Tensor3D);
    const a = multiHeadAttention(q, k, v, { heads: HEADS, causal: true });
    return tf.sum(tf.mul(linear(tf.reshape(a, [BATCH * T, D]) as tf.Tensor2D, w[3] as tf.Tensor2D), r));
  };
}

/** The same loss through the per-position route, on position-major rows (that route's layout, as the transformer had it). */
function perPositionLoss(r: tf.Tensor2D, ind: tf.Tensor2D): Loss {
  return (x, ...w) => {
    const h = tf.reshape(tf.transpose(x, [1, 0, 2]), [T * BATCH, D]) as tf.Tensor2D;
    const rows = (t: tf.Tensor2D) => Array.from({ length: T }, (_, i) => tf.slice(t, [i * BATCH, 0], [BATCH, -1]) as tf.Tensor2D);
    const [q, k, v] = w.slice(0, 3).map((wi) => rows(linear(h, wi as tf.Tensor2D)));
    const a = tf.concat(attend(q, k, v, ind, true, 0), 0) as tf.Tensor2D;
    const out = tf.transpose(tf.reshape(linear(a, w[3] as tf.Tensor2D), [T, BATCH, D]), [1, 0, 2]);
    return tf.sum(tf.mul(tf.reshape(out, [BATCH * T, D]), r));
  };
}

/** Best-of-blocks ms per forward+backward (gradients in x and the four weights). */
function timeSteps(loss: Loss, inputs: tf.Tensor[], warmup: number, steps: number, blocks: number): number {
  const step = () => tf.tidy(() => void tf.grads(loss)(inputs)[4].dataSync());
  for (let i = 0; i < warmup; i++) step();
  let ms = Infinity;
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    ms = Math.min(ms, (performance.now() - t0) / steps);
  }
  return ms;
}

/** ms per forward+backward of one causal attention block at T = 128, batched route vs the per-position one and PyTorch. */
export const attentionBlockBench: BenchCase = {
  name: 'attention_block_t128_d128_h4_b32_causal',
  unit: 'ms',
  target: '<= 2x PyTorch (2 threads); far below the per-position route',
  async run(log) {
    await benchBackend(log);
    const rng = createRng(0);
    const x = tf.tensor3d(normalArray(rng, BATCH * T * D), [BATCH, T, D]);
    const ws = [0, 1, 2, 3].map(() =>
      tf.tensor2d(
        normalArray(rng, D * D).map((a) => a / Math.sqrt(D)),
        [D, D],
      ),
    );
    const r = tf.tensor2d(normalArray(rng, BATCH * T * D), [BATCH * T, D]);
    const ind = headIndicator(D, HEADS);
    const inputs = [x, ...ws];
    const batched = batchedLoss(r);
    const perPosition = perPositionLoss(r, ind);
    try {
      // both routes compute the same function: a wrong comparison is worse than none
      const [lb, lp] = [batched, perPosition].map((f) => tf.tidy(() => f(x, ...ws).dataSync()[0]));
      const rel = Math.abs(lb - lp) / Math.abs(lp);
      log(`loss batched ${lb.toFixed(3)}, per-position ${lp.toFixed(3)} (relative difference ${rel.toExponential(1)})`);
      const ms = timeSteps(batched, inputs, WARMUP, STEPS, BLOCKS);
      log(`batched route: ${ms.toFixed(2)} ms`);
      // the old route launches ~T^2 small kernels per pass: tens of seconds per step, so one timed step
      const old = timeSteps(perPosition, inputs, 0, 1, 1);
      log(`per-position route: ${old.toFixed(0)} ms (batched ${(old / ms).toFixed(1)}x faster)`);
      const torch = (threads: number) => torchMs(TORCH_SCRIPT, [String(threads), String(WARMUP), String(STEPS), String(BLOCKS)], log);
      const result = withReference(ms, torch(2), log, torch(1));
      const perPositionExtra = { per_position_ms: Number(old.toFixed(1)), speedup_vs_per_position: Number((old / ms).toFixed(1)) };
      return { ...result, extra: { ...result.extra, ...perPositionExtra } };
    } finally {
      tf.dispose([...inputs, r, ind]);
    }
  },
};

export default attentionBlockBench;
