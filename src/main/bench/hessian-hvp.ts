import * as tf from '@tensorflow/tfjs';
import { benchBackend, type BenchCase } from './bench-case';
import { torchMs, withReference } from './torch-reference';
import { createRng, normalArray } from '../ml/data/prng';
import { oneHotLabels } from '../ml/data/tensors';
import { hvp, installSecondOrderGradients } from '../ml/hessian/second-order';
import { mlp } from '../ml/models/mlp';
import { softmaxCrossEntropy } from '../ml/ops/cross-entropy';

const BATCH = 256;
const IN = 784;
const HIDDEN = 512;
const CLASSES = 10;
const WARMUP = 3;
const REPS = 10;
/** Best block on both sides: the machine is shared and 2-thread torch suffers most from that. */
const BLOCKS = 3;

/** The same HVP (double backward, all parameters) in PyTorch with 2 threads; ms per HVP. */
const TORCH_SCRIPT = `
import sys, time, torch
threads, warmup, reps, blocks = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(${IN}, ${HIDDEN}), torch.nn.ReLU(), torch.nn.Linear(${HIDDEN}, ${CLASSES}))
params = list(model.parameters())
x = torch.randn(${BATCH}, ${IN})
y = torch.randint(0, ${CLASSES}, (${BATCH},))
v = [torch.randn_like(p) for p in params]
def hvp():
    loss = torch.nn.functional.cross_entropy(model(x), y)
    g = torch.autograd.grad(loss, params, create_graph=True)
    dot = sum((gi * vi).sum() for gi, vi in zip(g, v))
    return torch.autograd.grad(dot, params)
for _ in range(warmup): hvp()
best = float('inf')
for _ in range(blocks):
    t0 = time.perf_counter()
    for _ in range(reps): hvp()
    best = min(best, (time.perf_counter() - t0) * 1000 / reps)
print(best)
`;

/** ms per exact HVP (all parameters) of an MLP 784-512-10 on a batch of 256, on wasm. */
export const hessianHvpBench: BenchCase = {
  name: 'hvp_mlp784_512_10_b256',
  unit: 'ms',
  target: '<= 3x PyTorch (2 threads)',
  async run(log) {
    await benchBackend(log);
    installSecondOrderGradients();
    const rng = createRng(0);
    const model = mlp(rng, { inputDim: IN, numClasses: CLASSES, hidden: [HIDDEN], activation: 'relu' });
    const params = Object.values(model.namedWeights());
    const labels = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
    const x = tf.tensor2d(normalArray(rng, BATCH * IN), [BATCH, IN]);
    const y = tf.tensor2d(oneHotLabels(labels, CLASSES), [BATCH, CLASSES]);
    const v = params.map((p) => tf.tensor(normalArray(rng, p.size), p.shape));
    const loss = () => softmaxCrossEntropy(model.forward(x).logits, y);
    // reading one value back forces the (synchronous) wasm work to finish inside the timed block
    const once = () => {
      const hv = hvp(loss, params, v);
      hv[0].dataSync();
      tf.dispose(hv);
    };
    let ms = Infinity;
    try {
      for (let i = 0; i < WARMUP; i++) once();
      for (let b = 0; b < BLOCKS; b++) {
        const t0 = performance.now();
        for (let i = 0; i < REPS; i++) once();
        ms = Math.min(ms, (performance.now() - t0) / REPS);
      }
    } finally {
      tf.dispose([x, y, ...v]);
      model.dispose();
    }
    const torch = (threads: number) => torchMs(TORCH_SCRIPT, [String(threads), String(WARMUP), String(REPS), String(BLOCKS)], log);
    return withReference(ms, torch(2), log, torch(1));
  },
};

export default hessianHvpBench;
