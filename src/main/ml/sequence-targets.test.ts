import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import type { Dataset } from './data/dataset';
import { createRng } from './data/prng';
import { disposeSplit, gatherRows, hessianInput, splitTensors } from './data/tensors';
import { evaluate } from './evaluate';
import { gpt } from './models/gpt';
import { train, type EpochLog } from './train';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'plateau-seq-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two windows of T = 3 over a vocabulary of 5: targets are the inputs shifted by one. */
const tiny = (): Dataset => ({
  train: { inputs: Int32Array.from([0, 1, 2, 3, 4, 0]), labels: Int32Array.from([1, 2, 3, 4, 0, 1]), n: 2 },
  test: { inputs: Int32Array.from([2, 2, 2]), labels: Int32Array.from([2, 2, 4]), n: 1 },
  numClasses: 5,
  inputDim: 3,
  tokens: { vocab: 5, length: 3 },
  sequence: true,
  meta: {},
});

describe('sequence targets', () => {
  it('batches carry one one-hot target per position of each picked window, in row order', () => {
    const s = splitTensors(tiny(), tiny().train, 'tokens');
    expect(s.perRow).toBe(3);
    const { x, y1h } = gatherRows(s, Int32Array.from([1, 0]));
    expect(x.arraySync()).toEqual([
      [3, 4, 0],
      [0, 1, 2],
    ]);
    expect(tf.argMax(y1h, 1).arraySync()).toEqual([4, 0, 1, 1, 2, 3]);
    tf.dispose([x, y1h]);
    disposeSplit(s);
  });

  it('evaluates the mean cross-entropy and accuracy over positions, as a direct computation gives', async () => {
    const ds = tiny();
    const model = gpt(createRng(3), { vocab: 5, length: 3, dModel: 8, heads: 2, layers: 1 });
    const s = splitTensors(ds, ds.train, 'tokens');
    const r = await evaluate(model, s);
    // independent route: softmax of every position's logits in float64
    const logits = model.forward(s.x).logits.arraySync();
    let ce = 0;
    let hits = 0;
    logits.forEach((z, i) => {
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
      ce += lse - z[ds.train.labels[i]];
      hits += z.indexOf(m) === ds.train.labels[i] ? 1 : 0;
    });
    expect(r.loss).toBeCloseTo(ce / 6, 5);
    expect(r.acc).toBeCloseTo(hits / 6, 10);
    const h = hessianInput(s);
    expect(h.yOneHot.shape).toEqual([6, 5]);
    disposeSplit(s);
    model.dispose();
  });

  it('trains a GPT on a text file, logging every N steps with each evaluation set', async () => {
    const text = join(dir, 'abc.txt');
    writeFileSync(text, Array.from({ length: 30 }, () => 'abcd'.repeat(40)).join('\n\n'));
    const other = join(dir, 'dcba.txt');
    writeFileSync(other, 'dcba'.repeat(100));
    const logs: EpochLog[] = [];
    const summary = await train(
      {
        dataset: { kind: 'text', path: text, documents: 'paragraph', contextLength: 16, evalSets: [{ name: 'reversed', path: other }] },
        model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
        optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 0 },
        batchSize: 8,
        epochs: 3,
        logEverySteps: 5,
        evalRows: 8,
        checkpoints: { firstAndLast: false },
      },
      { onEpoch: (l) => void logs.push(l) },
    );
    expect(summary.status).toBe('succeeded');
    expect(logs.length).toBeGreaterThan(2);
    const first = logs[0];
    const last = logs.at(-1)!;
    expect(first.nextToken).toBe(true);
    expect(Object.keys(last.sets!)).toEqual(['reversed']);
    expect(last.train_loss).toBeLessThan(first.train_loss);
    expect(last.train_acc).toBeGreaterThan(0.9); // the next letter of abcd... is always known
    // the reversed text's transitions were never seen: it stays worse than the training text
    expect(last.sets!.reversed.loss).toBeGreaterThan(last.train_loss + 1);
  });
});
