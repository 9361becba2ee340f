import * as tf from '@tensorflow/tfjs';
import { benchBackend, type BenchCase } from './bench-case';
import { timeAdamSteps, torchMs, withReference } from './torch-reference';
import { createRng, normalArray } from '../ml/data/prng';
import { oneHotLabels } from '../ml/data/tensors';
import { cnn } from '../ml/models/cnn';
import type { Model } from '../ml/models/model';
import { convOnBlas, setBlasConv } from '../ml/ops/conv-blas';
import { poolNative, setNativePool } from '../ml/ops/pool-native';

const BATCH = 128;
const CHANNELS = [16, 32];
const HIDDEN = 128;
const STEPS = 10;
const BLOCKS = 3;

/** The same network and step in PyTorch (threads from argv); prints the best block's ms per step. */
const TORCH_SCRIPT = `
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
nn = torch.nn
m = nn.Sequential(nn.Conv2d(1, ${CHANNELS[0]}, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(${CHANNELS[0]}, ${CHANNELS[1]}, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Linear(${CHANNELS[1]} * 49, ${HIDDEN}), nn.ReLU(), nn.Linear(${HIDDEN}, 10))
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
x = torch.randn(${BATCH}, 1, 28, 28)
y = torch.randint(0, 10, (${BATCH},))
def step():
    opt.zero_grad()
    torch.nn.functional.cross_entropy(m(x), y).backward()
    opt.step()
for _ in range(3): step()
best = float('inf')
for _ in range(${BLOCKS}):
    t0 = time.perf_counter()
    for _ in range(${STEPS}): step()
    best = min(best, (time.perf_counter() - t0) * 1000 / ${STEPS})
print(best)
`;

/**
 * Best ms per step of the native route (conv on im2col + BLAS, native pooling) and, where it is in use, of
 * the fallback (XNNPACK conv, JS pooling), block by block in turn so both see the same machine load.
 */
async function timeRoutes(model: Model, x: tf.Tensor2D, y: tf.Tensor2D): Promise<{ ms: number; fallbackMs: number | null }> {
  const native = convOnBlas() || poolNative();
  let [ms, fallbackMs] = [Infinity, Infinity];
  for (let b = 0; b < BLOCKS; b++) {
    ms = Math.min(ms, await timeAdamSteps(model, x, y, { warmup: b === 0 ? 3 : 1, steps: STEPS, blocks: 1 }));
    if (!native) continue;
    setBlasConv(false);
    setNativePool(false);
    try {
      fallbackMs = Math.min(fallbackMs, await timeAdamSteps(model, x, y, { warmup: 1, steps: STEPS, blocks: 1 }));
    } finally {
      setBlasConv(true);
      setNativePool(true);
    }
  }
  return { ms, fallbackMs: native ? fallbackMs : null };
}

/** ms per Adam step of the cnn model (28x28x1, channels 16/32, hidden 128), batch 128, on wasm. */
export const trainCnnStepBench: BenchCase = {
  name: 'train_step_cnn_16_32_b128_adam',
  unit: 'ms',
  target: '<= 2x PyTorch (2 threads)',
  async run(log) {
    await benchBackend(log);
    const rng = createRng(0);
    const model = cnn(rng, { inputDim: 784, numClasses: 10, channels: CHANNELS, hidden: HIDDEN });
    const x = tf.tensor2d(normalArray(rng, BATCH * 784), [BATCH, 784]);
    const y = tf.tensor2d(
      oneHotLabels(
        Int32Array.from({ length: BATCH }, () => rng.int(10)),
        10,
      ),
      [BATCH, 10],
    );
    let r: { ms: number; fallbackMs: number | null };
    try {
      r = await timeRoutes(model, x, y);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
    if (r.fallbackMs !== null) log(`tfjs, fallback route (XNNPACK conv, JS pooling), blocks in turn: ${r.fallbackMs.toFixed(2)} ms`);
    const torch = (threads: number) => torchMs(TORCH_SCRIPT, [String(threads)], log);
    const result = withReference(r.ms, torch(2), log, torch(1));
    if (r.fallbackMs !== null) result.extra = { ...result.extra, fallback_ms: Number(r.fallbackMs.toFixed(3)) };
    return result;
  },
};

export default trainCnnStepBench;
