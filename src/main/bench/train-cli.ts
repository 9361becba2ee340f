import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './bench-case';
import { torchMs } from './torch-reference';

/** The command a user types, run as they run it: the built CLI, the job system, a worker, SQLite. */
export function cliPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const found = ['../../bin/plateau.mjs', '../../../bin/plateau.mjs'].map((r) => join(here, r)).find(existsSync);
  if (!found) throw new Error(`bin/plateau.mjs not found from ${here}`);
  return found;
}

/** Calls handle with each JSON line a `plateau --json` child writes as it arrives; other lines (a warning) are skipped. */
export function onJsonLines<T>(stream: Readable, handle: (message: T) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        continue;
      }
      handle(message);
    }
  });
}

function plateauTrain(args: string[], log: (line: string) => void): number {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-train-'));
  try {
    const started = performance.now();
    const out = execFileSync(
      process.execPath,
      [cliPath(), 'train', '--preset', 'grokking-mlp', '--seed', '0', '--json', '--data-dir', dir, ...args],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, PLATEAU_JOBS: '1' },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const summary = JSON.parse(out.trim().split('\n').pop()!) as { status: string; test_acc: number; checkpoints: number };
    log(
      `plateau train ${args.join(' ') || '(defaults)'}: ${seconds.toFixed(1)} s, ${summary.status}, test acc ${(summary.test_acc * 100).toFixed(1)}%, ${summary.checkpoints} checkpoints`,
    );
    if (summary.status !== 'succeeded') throw new Error(`the run ended ${summary.status}`);
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same recipe in PyTorch (CPU): modular addition mod 97, 30% train, quadratic MLP, full-batch AdamW, both splits
 * evaluated every epoch. Lookups through F.embedding: advanced indexing's backward is ~10x slower on CPU.
 */
const TORCH_GROKKING = `
import sys, time, torch
import torch.nn.functional as F
epochs, threads = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
p, width = 97, 128
torch.manual_seed(0)
pairs = torch.cartesian_prod(torch.arange(p), torch.arange(p))
labels = (pairs[:, 0] + pairs[:, 1]) % p
perm = torch.randperm(len(pairs)); ntr = round(0.3 * len(pairs))
split = {'train': perm[:ntr], 'test': perm[ntr:]}
ids = {k: (pairs[i, 0].contiguous(), pairs[i, 1].contiguous(), labels[i]) for k, i in split.items()}
std = 0.5 / (2 * width) ** (1 / 3)
ea, eb, w = (torch.nn.Parameter(torch.randn(p, width) * std) for _ in range(3))
opt = torch.optim.AdamW([ea, eb, w], lr=1e-2, betas=(0.9, 0.98), weight_decay=1.0)
fwd = lambda a, b: ((F.embedding(a, ea) + F.embedding(b, eb)) ** 2) @ w.T
t0 = time.perf_counter()
for epoch in range(epochs):
    a, b, y = ids['train']
    opt.zero_grad(); F.cross_entropy(fwd(a, b), y).backward(); opt.step()
    with torch.no_grad():
        for a, b, y in ids.values():
            z = fwd(a, b); F.cross_entropy(z, y).item(); (z.argmax(1) == y).float().mean().item()
print((time.perf_counter() - t0) * 1000)
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * `plateau train --preset grokking-mlp --seed 0` end to end (process start to exit, 14 checkpoints measured
 * live), against the same with --no-metrics and against PyTorch; and a 20-epoch run, where checkpoints
 * are dense, measured against training alone. On and off alternate PLATEAU_BENCH_REPEATS times (3): a
 * single pair on this shared 2-core machine varied by 10-20% run to run; the medians are compared.
 */
export const trainCliBench: BenchCase = {
  name: 'plateau_train_grokking_mlp',
  unit: 's',
  target: '<= 1.5x PyTorch (same recipe); live checkpoint metrics on/off <= 1.10x; 20 epochs with metrics <= 3x without',
  async run(log) {
    const repeats = Math.max(1, Number(process.env.PLATEAU_BENCH_REPEATS ?? 3));
    const ons: number[] = [];
    const offs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      ons.push(plateauTrain([], log));
      offs.push(plateauTrain(['--no-metrics'], log));
    }
    const [on, off] = [median(ons), median(offs)];
    log(`medians of ${repeats}: ${on.toFixed(1)} s with live metrics, ${off.toFixed(1)} s without: ${(on / off).toFixed(3)}x`);
    const short = plateauTrain(['--epochs', '20'], log);
    const shortOff = plateauTrain(['--epochs', '20', '--no-metrics'], log);
    // PyTorch on 2 threads (the peer) and on 1, which is faster on a small shared machine
    const torch2 = torchMs(TORCH_GROKKING, ['1000', '2'], log);
    const torch1 = torch2 === null ? null : torchMs(TORCH_GROKKING, ['1000', '1'], log);
    for (const [t, ms] of [
      [2, torch2],
      [1, torch1],
    ] as const)
      if (ms !== null) log(`PyTorch (${t} thread${t > 1 ? 's' : ''}), same recipe: ${(ms / 1000).toFixed(1)} s`);
    return {
      value: Number(on.toFixed(2)),
      extra: {
        no_metrics_s: Number(off.toFixed(2)),
        runs_on_s: ons.map((x) => Number(x.toFixed(1))).join('/'),
        runs_off_s: offs.map((x) => Number(x.toFixed(1))).join('/'),
        ratio_live_metrics: Number((on / off).toFixed(3)),
        epochs20_s: Number(short.toFixed(2)),
        epochs20_no_metrics_s: Number(shortOff.toFixed(2)),
        ratio_epochs20: Number((short / shortOff).toFixed(3)),
        ...(torch2 !== null
          ? { torch_s: Number((torch2 / 1000).toFixed(2)), ratio_vs_torch: Number((on / (torch2 / 1000)).toFixed(3)) }
          : {}),
        ...(torch1 !== null
          ? { torch_1t_s: Number((torch1 / 1000).toFixed(2)), ratio_vs_torch_1t: Number((on / (torch1 / 1000)).toFixed(3)) }
          : {}),
      },
    };
  },
};
