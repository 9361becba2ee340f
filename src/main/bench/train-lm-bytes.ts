import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS } from '../../shared/domain/presets';
import { parseTrainConfig } from '../ml/validate-config';
import { textDataset } from '../ml/data/text/text-dataset';
import type { BenchCase, BenchResult } from './bench-case';
import { cliPath, onJsonLines } from './train-cli';
import { PYTHON } from './torch-reference';

/** Wall-clock budget of each side (the 10 minutes; PLATEAU_BENCH_LM_S for a quick run). */
const budget = () => Number(process.env.PLATEAU_BENCH_LM_S ?? 600);

interface Progress {
  type: string;
  step?: number;
  test_loss?: number;
}

/** `plateau train --preset lm-bytes-en`, as a user runs it, stopped at the budget; its last logged test loss. */
function plateauSide(seconds: number): Promise<{ loss: number; step: number; wall: number }> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-lm-'));
  const child = spawn(process.execPath, [cliPath(), '--data-dir', dir, 'train', '--preset', 'lm-bytes-en', '--json'], {
    env: { ...process.env, PLATEAU_JOBS: '1' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let last = { loss: NaN, step: 0 };
  onJsonLines<Progress>(child.stdout, (m) => {
    // the summary line repeats the last log's loss without a step: keep that log's step
    if (m.test_loss !== undefined && Number.isFinite(m.test_loss)) last = { loss: m.test_loss, step: m.step ?? last.step };
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
  return new Promise((resolve) =>
    child.on('exit', () => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ ...last, wall: (performance.now() - t0) / 1000 });
    }),
  );
}

/**
 * The same recipe in PyTorch on the same windows (exported by the bench): GPT-2 blocks, tied head, N(0, 0.02)
 * init, AdamW with warmup + cosine over the preset's steps, clipping, the same evaluation every 50 steps on
 * the first evalRows test windows; stopped at the budget, it prints its last test loss and step.
 */
const TORCH_LM = `
import json, math, sys, time
import numpy as np, torch
import torch.nn as nn, torch.nn.functional as F
cfg = json.load(open(sys.argv[1])); torch.set_num_threads(2); torch.manual_seed(0)
T, V, L, D, H = cfg['T'], cfg['V'], cfg['layers'], cfg['d'], cfg['heads']
tr = torch.from_numpy(np.fromfile(cfg['train'], dtype=np.int32).astype(np.int64)).view(-1, T + 1)
te = torch.from_numpy(np.fromfile(cfg['test'], dtype=np.int32).astype(np.int64)).view(-1, T + 1)[: cfg['evalRows']]
class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln_1, s.ln_2 = nn.LayerNorm(D), nn.LayerNorm(D)
        s.c_attn, s.c_proj, s.c_fc, s.m_proj = nn.Linear(D, 3 * D), nn.Linear(D, D), nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
    def forward(s, x):
        n = x.shape[0]
        q, k, v = s.c_attn(s.ln_1(x)).split(D, -1)
        h = lambda z: z.view(n, T, H, D // H).transpose(1, 2)
        a = (h(q) @ h(k).transpose(-1, -2)) / math.sqrt(D // H)
        a = a.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf'))
        x = x + s.c_proj((torch.softmax(a, -1) @ h(v)).transpose(1, 2).reshape(n, T, D))
        return x + s.m_proj(F.gelu(s.c_fc(s.ln_2(x)), approximate='tanh'))
class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte, s.wpe = nn.Embedding(V, D), nn.Embedding(T, D)
        s.h = nn.ModuleList([Block() for _ in range(L)]); s.ln_f = nn.LayerNorm(D)
        for n_, p in s.named_parameters():
            if p.dim() == 2: nn.init.normal_(p, std=0.02 / math.sqrt(2 * L) if n_.endswith('proj.weight') else 0.02)
            elif n_.endswith('bias'): nn.init.zeros_(p)
        nn.init.normal_(s.wpe.weight, std=0.01)
    def forward(s, ids):
        x = s.wte(ids) + s.wpe(torch.arange(T))
        for b in s.h: x = b(x)
        return s.ln_f(x) @ s.wte.weight.T
m = GPT()
decay = [p for n_, p in m.named_parameters() if p.dim() == 2]
rest = [p for n_, p in m.named_parameters() if p.dim() != 2]
opt = torch.optim.AdamW([{'params': decay + rest}], lr=cfg['lr'], weight_decay=cfg['wd'])
total, warm, floor = cfg['totalSteps'], cfg['warmup'], cfg['minFactor']
def lr_at(s):
    if s < warm: return cfg['lr'] * (s + 1) / warm
    t = (s - warm) / max(1, total - warm)
    return cfg['lr'] * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t)))
def loss_of(w): return F.cross_entropy(m(w[:, :-1]).reshape(-1, V), w[:, 1:].reshape(-1))
start, step, last = time.perf_counter(), 0, (float('nan'), 0)
while time.perf_counter() - start < cfg['seconds'] and step < total:
    for idx in torch.randperm(len(tr)).split(cfg['batch']):
        if time.perf_counter() - start >= cfg['seconds'] or step >= total: break
        for g in opt.param_groups: g['lr'] = lr_at(step)
        opt.zero_grad(); loss_of(tr[idx]).backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), cfg['clip']); opt.step(); step += 1
        if step % cfg['logEvery'] == 0:
            with torch.no_grad(): last = (loss_of(te).item(), step)
# no evaluation yet (a budget shorter than logEvery steps): null, which JSON can carry and NaN cannot
print(json.dumps({'loss': last[0] if math.isfinite(last[0]) else None, 'step': last[1]}))
`;

/** Windows with their next token ([n, T + 1] int32), as the torch side reads them. */
function windowsFile(path: string, inputs: Int32Array, labels: Int32Array, n: number, T: number): void {
  const out = new Int32Array(n * (T + 1));
  for (let i = 0; i < n; i++) {
    out.set(inputs.subarray(i * T, (i + 1) * T), i * (T + 1));
    out[i * (T + 1) + T] = labels[(i + 1) * T - 1];
  }
  writeFileSync(path, out);
}

/** lm-bytes-en for the budget through `plateau train`, and the same recipe in PyTorch for the same wall time. */
export const lmBytesEnBench: BenchCase = {
  name: 'lm_bytes_en_10min',
  unit: 'nats/byte',
  target: "test loss <= PyTorch's + 0.05 after the same wall time, and < 2.1",
  async run(log): Promise<BenchResult> {
    const seconds = budget();
    const ours = await plateauSide(seconds);
    const finished = ours.wall < seconds - 1 ? ` (the whole preset, done in ${ours.wall.toFixed(0)} s)` : '';
    log(`plateau train --preset lm-bytes-en, ${seconds} s: test loss ${ours.loss.toFixed(3)} at step ${ours.step}${finished}`);
    const config = parseTrainConfig(PRESETS['lm-bytes-en'].config);
    if (config.dataset.kind !== 'text' || config.model.kind !== 'gpt' || config.optimizer.kind !== 'adamw')
      throw new Error('unexpected preset');
    const ds = textDataset(config.dataset, config.seed);
    const T = config.dataset.contextLength;
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-lm-torch-'));
    try {
      windowsFile(join(dir, 'train.i32'), ds.train.inputs as Int32Array, ds.train.labels, ds.train.n, T);
      windowsFile(join(dir, 'test.i32'), ds.test.inputs as Int32Array, ds.test.labels, ds.test.n, T);
      const batch = config.batchSize === 'full' ? ds.train.n : config.batchSize;
      const schedule = config.schedule.kind === 'cosine' ? config.schedule : { warmupSteps: 0, minFactor: 0 };
      const cfg = {
        ...{ train: join(dir, 'train.i32'), test: join(dir, 'test.i32'), T, V: ds.numClasses, seconds, batch },
        ...{ layers: config.model.layers, d: config.model.dModel, heads: config.model.heads, lr: config.optimizer.lr },
        ...{ wd: config.optimizer.weightDecay, clip: config.gradClip ?? 1e9, logEvery: config.logEverySteps, evalRows: config.evalRows },
        ...{ warmup: schedule.warmupSteps, minFactor: schedule.minFactor, totalSteps: config.epochs * Math.ceil(ds.train.n / batch) },
      };
      writeFileSync(join(dir, 'cfg.json'), JSON.stringify(cfg));
      let torch: { loss: number | null; step: number } | null = null;
      try {
        const out = execFileSync(PYTHON, ['-c', TORCH_LM, join(dir, 'cfg.json')], { encoding: 'utf8', timeout: (seconds + 300) * 1000 });
        torch = JSON.parse(out.trim().split('\n').pop()!);
      } catch (err) {
        log(`PyTorch reference failed or missing: ${(err as Error).message.split('\n')[0]}`);
      }
      if (!torch || torch.loss === null) {
        if (torch) log(`PyTorch evaluated nothing in ${seconds} s (${torch.step} steps, fewer than logEverySteps)`);
        return { value: ours.loss, extra: { steps: ours.step } };
      }
      log(`PyTorch, same recipe and windows, ${seconds} s: test loss ${torch.loss.toFixed(3)} at step ${torch.step}`);
      return {
        value: ours.loss,
        extra: {
          steps: ours.step,
          torch_loss: Number(torch.loss.toFixed(4)),
          torch_steps: torch.step,
          diff: Number((ours.loss - torch.loss).toFixed(4)),
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default lmBytesEnBench;
