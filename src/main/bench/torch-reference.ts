import { execFileSync } from 'node:child_process';
import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../ml/models/model';
import { adam } from '../ml/optim/adam';
import { trainStep } from '../ml/train-step';
import type { BenchResult } from './bench-case';

/** Debian's python3 carries torch (python3-torch); the first python3 on PATH may not. */
export const PYTHON = '/usr/bin/python3';

/**
 * Runs a PyTorch timing script (it prints its best ms last) and returns that number, or null with the
 * reason logged when torch is missing or the script fails: the comparison is optional, never the bench.
 */
export function torchMs(script: string, args: string[], log: (line: string) => void): number | null {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    log(`PyTorch not available ('${PYTHON} -c "import torch"' failed): no reference`);
    return null;
  }
  try {
    const out = execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const ms = Number(out.trim().split('\n').pop());
    return Number.isFinite(ms) ? ms : null;
  } catch (err) {
    log(`PyTorch reference failed: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}

/**
 * Our figure with PyTorch's beside it and the ratio (ours / theirs), as every comparative bench reports.
 * `oneThread`: PyTorch on one thread too, which on a small or shared machine can beat its two (their
 * spinning threads contend): the stricter ratio is printed beside the target's.
 */
export function withReference(
  ms: number,
  reference: number | null,
  log: (line: string) => void,
  oneThread: number | null = null,
): BenchResult {
  log(`tfjs: ${ms.toFixed(2)} ms`);
  if (reference === null) return { value: ms };
  log(`PyTorch (2 threads): ${reference.toFixed(2)} ms`);
  const extra: Record<string, number> = { torch_ms: Number(reference.toFixed(3)), ratio: Number((ms / reference).toFixed(3)) };
  if (oneThread !== null) {
    log(`PyTorch (1 thread): ${oneThread.toFixed(2)} ms`);
    extra.torch_1t_ms = Number(oneThread.toFixed(3));
    extra.ratio_vs_best_torch = Number((ms / Math.min(reference, oneThread)).toFixed(3));
  }
  return { value: ms, extra };
}

/** Best-of-blocks ms per Adam step of a model on one batch; frees everything it made. */
export async function timeAdamSteps(
  model: Model,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  o: { warmup: number; steps: number; blocks: number },
): Promise<number> {
  const named = model.namedWeights();
  const names = Object.keys(named);
  const params = names.map((n) => named[n]);
  const opt = adam(named);
  let ms = Infinity;
  try {
    for (let i = 0; i < o.warmup; i++) await trainStep(model, opt, params, names, x, y, 1e-3, undefined, []);
    for (let b = 0; b < o.blocks; b++) {
      const t0 = performance.now();
      for (let i = 0; i < o.steps; i++) await trainStep(model, opt, params, names, x, y, 1e-3, undefined, []);
      ms = Math.min(ms, (performance.now() - t0) / o.steps);
    }
  } finally {
    opt.dispose();
  }
  return ms;
}
