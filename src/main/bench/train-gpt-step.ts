import * as tf from '@tensorflow/tfjs';
import { benchBackend, type BenchCase } from './bench-case';
import { timeAdamSteps, torchMs, withReference } from './torch-reference';
import { createRng } from '../ml/data/prng';
import { gpt } from '../ml/models/gpt';

const [LAYERS, D, HEADS, T, BATCH, VOCAB] = [2, 128, 4, 128, 32, 256];
const STEPS = 3;
const BLOCKS = 2;

/** The same GPT-2-shaped model and step in PyTorch (threads from argv); prints the best block's ms per step. */
const TORCH_SCRIPT = `
import math, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
nn, F = torch.nn, torch.nn.functional
L, D, H, T, B, V = ${LAYERS}, ${D}, ${HEADS}, ${T}, ${BATCH}, ${VOCAB}
class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln_1, s.ln_2 = nn.LayerNorm(D), nn.LayerNorm(D)
        s.c_attn, s.c_proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        s.c_fc, s.mlp_proj = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
    def forward(s, x):
        n = x.shape[0]
        q, k, v = s.c_attn(s.ln_1(x)).split(D, dim=-1)
        h = lambda z: z.view(n, T, H, D // H).transpose(1, 2)
        sc = (h(q) @ h(k).transpose(-1, -2)) / math.sqrt(D // H)
        sc = sc.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf'))
        a = (torch.softmax(sc, -1) @ h(v)).transpose(1, 2).reshape(n, T, D)
        x = x + s.c_proj(a)
        return x + s.mlp_proj(F.gelu(s.c_fc(s.ln_2(x)), approximate='tanh'))
class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte, s.wpe = nn.Embedding(V, D), nn.Embedding(T, D)
        s.h = nn.ModuleList([Block() for _ in range(L)])
        s.ln_f = nn.LayerNorm(D)
    def forward(s, ids):
        x = s.wte(ids) + s.wpe(torch.arange(T))
        for b in s.h: x = b(x)
        return s.ln_f(x) @ s.wte.weight.T
m = GPT()
opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
x = torch.randint(0, V, (B, T))
y = torch.randint(0, V, (B, T))
def step():
    opt.zero_grad()
    F.cross_entropy(m(x).reshape(-1, V), y.reshape(-1)).backward()
    opt.step()
for _ in range(2): step()
best = float('inf')
for _ in range(${BLOCKS}):
    t0 = time.perf_counter()
    for _ in range(${STEPS}): step()
    best = min(best, (time.perf_counter() - t0) * 1000 / ${STEPS})
print(best)
`;

/** ms per Adam step of the byte-level GPT of the lm-bytes-en preset (2 layers, d 128, 4 heads, T 128), batch 32, on wasm. */
export const trainGptStepBench: BenchCase = {
  name: 'lm_gpt2x128_T128_b32',
  unit: 'ms',
  target: '<= 1.5x PyTorch (2 threads)',
  async run(log) {
    await benchBackend(log);
    const rng = createRng(0);
    const model = gpt(rng, { vocab: VOCAB, length: T, layers: LAYERS, dModel: D, heads: HEADS });
    const x = tf.tensor2d(
      Int32Array.from({ length: BATCH * T }, () => rng.int(VOCAB)),
      [BATCH, T],
      'int32',
    );
    const y = tf.tidy(() =>
      tf
        .oneHot(
          tf.tensor1d(
            Int32Array.from({ length: BATCH * T }, () => rng.int(VOCAB)),
            'int32',
          ),
          VOCAB,
        )
        .toFloat(),
    );
    let ms: number;
    try {
      ms = await timeAdamSteps(model, x, y as tf.Tensor2D, { warmup: 2, steps: STEPS, blocks: BLOCKS });
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
    const torch = (threads: number) => torchMs(TORCH_SCRIPT, [String(threads)], log);
    return withReference(ms, torch(2), log, torch(1));
  },
};

export default trainGptStepBench;
