import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import type { BenchCase } from './bench-case';
import { initBackend } from '../ml/backend';
import { createRng, normalArray } from '../ml/data/prng';
import { oneHotLabels } from '../ml/data/tensors';
import { cnn } from '../ml/models/cnn';
import { adam } from '../ml/optim/adam';
import { trainStep } from '../ml/train-step';

const BATCH = 128;
const CHANNELS = [16, 32];
const HIDDEN = 128;
const STEPS = 10;
const BLOCKS = 3;

/** The same network and step in PyTorch (2 threads); prints the best block's ms per step. */
const TORCH_SCRIPT = `
import time, torch
torch.set_num_threads(2)
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

function torchMs(): number | null {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', TORCH_SCRIPT], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const ms = Number(out.trim().split('\n').pop());
    return Number.isFinite(ms) ? ms : null;
  } catch {
    return null; // no python3 or no torch: no reference
  }
}

/** ms per Adam step of the cnn model (28x28x1, channels 16/32, hidden 128), batch 128, on wasm. */
export const trainCnnStepBench: BenchCase = {
  name: 'train_step_cnn_16_32_b128_adam',
  unit: 'ms',
  target: '<= 3x PyTorch (2 threads)',
  async run(log) {
    const backend = await initBackend('wasm');
    log(`backend ${backend.name} (tfjs ${backend.tfjsVersion}, ${backend.threads} thread(s))`);
    const rng = createRng(0);
    const model = cnn(rng, { inputDim: 784, numClasses: 10, channels: CHANNELS, hidden: HIDDEN });
    const named = model.namedWeights();
    const names = Object.keys(named);
    const params = names.map((n) => named[n]);
    const opt = adam(named);
    const x = tf.tensor2d(normalArray(rng, BATCH * 784), [BATCH, 784]);
    const y = tf.tensor2d(oneHotLabels(Int32Array.from({ length: BATCH }, () => rng.int(10)), 10), [BATCH, 10]);
    let ms = Infinity;
    try {
      for (let i = 0; i < 3; i++) trainStep(model, opt, params, names, x, y, 1e-3);
      for (let b = 0; b < BLOCKS; b++) {
        const t0 = performance.now();
        for (let i = 0; i < STEPS; i++) trainStep(model, opt, params, names, x, y, 1e-3);
        ms = Math.min(ms, (performance.now() - t0) / STEPS);
      }
    } finally {
      tf.dispose([x, y]);
      opt.dispose();
      model.dispose();
    }
    log(`tfjs ${backend.name}: ${ms.toFixed(2)} ms/step`);
    const torch = torchMs();
    if (torch === null) {
      log('PyTorch not available (/usr/bin/python3 with torch): no reference');
      return { value: ms };
    }
    log(`PyTorch (2 threads): ${torch.toFixed(2)} ms/step`);
    return { value: ms, extra: { torch_ms: Number(torch.toFixed(3)), ratio: Number((ms / torch).toFixed(3)) } };
  },
};

export default trainCnnStepBench;
