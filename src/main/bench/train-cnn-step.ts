import * as tf from '@tensorflow/tfjs';
import { benchBackend, type BenchCase } from './bench-case';
import { timeAdamSteps, torchMs, withReference } from './torch-reference';
import { createRng, normalArray } from '../ml/data/prng';
import { oneHotLabels } from '../ml/data/tensors';
import { cnn } from '../ml/models/cnn';

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


/** ms per Adam step of the cnn model (28x28x1, channels 16/32, hidden 128), batch 128, on wasm. */
export const trainCnnStepBench: BenchCase = {
  name: 'train_step_cnn_16_32_b128_adam',
  unit: 'ms',
  target: '<= 3x PyTorch (2 threads)',
  async run(log) {
    await benchBackend(log);
    const rng = createRng(0);
    const model = cnn(rng, { inputDim: 784, numClasses: 10, channels: CHANNELS, hidden: HIDDEN });
    const x = tf.tensor2d(normalArray(rng, BATCH * 784), [BATCH, 784]);
    const y = tf.tensor2d(oneHotLabels(Int32Array.from({ length: BATCH }, () => rng.int(10)), 10), [BATCH, 10]);
    let ms: number;
    try {
      ms = await timeAdamSteps(model, x, y, { warmup: 3, steps: STEPS, blocks: BLOCKS });
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
    return withReference(ms, torchMs(TORCH_SCRIPT, [], log), log);
  },
};

export default trainCnnStepBench;
