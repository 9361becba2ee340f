import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../shared/domain/train-config';
import { initBackend } from './backend';
import { train, type CheckpointPayload, type EpochLog } from './train';

const dir = mkdtempSync(join(tmpdir(), 'placed-'));
const text = join(dir, 'corpus.txt');

beforeAll(async () => {
  await initBackend('wasm');
  writeFileSync(text, Array.from({ length: 30 }, (_, i) => 'the cat sat on a mat '.repeat(8) + i).join('\n\n'));
});

/** A 2-block GPT on a small character corpus, logging every 3 steps (9 steps per epoch). */
const lm = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  dataset: { kind: 'text', path: text, documents: 'paragraph', contextLength: 16 },
  model: { kind: 'gpt', layers: 2, dModel: 16, heads: 2 },
  optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 0 },
  batchSize: 8,
  epochs: 2,
  logEverySteps: 3,
  evalRows: 8,
  checkpoints: { firstAndLast: false },
  ...over,
});

async function run(config: TrainConfigInput) {
  const logs: EpochLog[] = [];
  const summary = await train(config, { onEpoch: (l) => void logs.push(l) });
  expect(summary.status).toBe('succeeded');
  return logs;
}

/** The term's logged mean over the second half of the run (a single probe per step is noisy; ascent is jumpy). */
const late = (logs: EpochLog[], key: string) => {
  const half = logs.slice(Math.floor(logs.length / 2));
  return half.reduce((a, l) => a + l.interventions![key], 0) / half.length;
};

describe('interventions placed on GPT blocks, in training', () => {
  it('act only inside a window in steps, logged there with each placed layer', async () => {
    const before = tf.memory().numTensors;
    const plain = await run(lm());
    const placed = await run(lm({ interventions: [{ kind: 'fam', lambda: 1e3, placement: 'all', fromStep: 4, toStep: 6 }] }));
    expect(tf.memory().numTensors).toBe(before);
    expect(placed.map((l) => l.step)).toEqual(plain.map((l) => l.step));
    expect(placed.map((l) => l.interventions !== undefined)).toEqual(placed.map((l) => l.step === 6));
    const at6 = placed.find((l) => l.step === 6)!;
    const parts = at6.interventionParts!.intervention_fam;
    expect(Object.keys(parts)).toEqual(['transformer.h.0.mlp.c_proj.weight', 'transformer.h.1.mlp.c_proj.weight', 'head']);
    const sum = Object.values(parts).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - at6.interventions!.intervention_fam)).toBeLessThan(1e-6 * sum);
    // identical before the window, different from its first step on
    expect(placed[0].train_loss).toBe(plain[0].train_loss);
    for (const l of placed.slice(1)) expect(l.train_loss).not.toBe(plain.find((p) => p.step === l.step)!.train_loss);
  });

  it.each([
    ['fam', 'block:0', -1],
    ['anti-flatness', 'block:0', 1],
    ['fam', 'all', -1],
  ] as const)('%s at %s moves its term the right way against the same seed without it', async (kind, placement, sign) => {
    // the unregularised run logs the same quantity through a zero-weight term (its gradient is exactly zero)
    const base = await run(lm({ interventions: [{ kind, lambda: 0, placement }] }));
    const reg = await run(lm({ interventions: [{ kind, lambda: kind === 'fam' ? 1e3 : 1e-2, placement }] }));
    const key = `intervention_${kind.replace('-', '_')}`;
    const [b, r] = [late(base, key), late(reg, key)];
    // at least a factor 2 either way (seen: fam block:0 and all ~5000x lower, anti-flatness block:0 ~14x higher)
    expect(sign < 0 ? r < b / 2 : r > 2 * b, `${key}: ${r} regularised vs ${b}`).toBe(true);
  });

  it('resume mid-run draws the same probes: logs and weights equal the uninterrupted run', async () => {
    const config = lm({
      epochs: 1,
      checkpoints: { everySteps: 3, firstAndLast: true },
      interventions: [{ kind: 'fam', lambda: 1e3, placement: 'block:1' }],
    });
    const ckpts: CheckpointPayload[] = [];
    const full: EpochLog[] = [];
    await train(config, { onEpoch: (l) => void full.push(l), onCheckpoint: (c) => void ckpts.push(c) });
    // at a log's step: a log's term is the mean since the previous log, which a resume would cut
    const snap = ckpts.find((c) => c.step === 3)!;
    const resumed: EpochLog[] = [];
    const again: CheckpointPayload[] = [];
    await train(config, { onEpoch: (l) => void resumed.push(l), onCheckpoint: (c) => void again.push(c) }, { resume: snap });
    const tail = full.filter((l) => l.step > 3);
    expect(resumed.map((l) => l.step)).toEqual(tail.map((l) => l.step));
    resumed.forEach((l, i) => {
      expect(l.train_loss).toBeCloseTo(tail[i].train_loss, 6);
      expect(l.interventions!.intervention_fam).toBeCloseTo(tail[i].interventions!.intervention_fam, 6);
    });
    const [a, b] = [ckpts.at(-1)!, again.at(-1)!];
    for (const [name, w] of Object.entries(a.weights)) {
      const v = b.weights[name].data;
      for (let i = 0; i < w.data.length; i++) expect(Math.abs(w.data[i] - v[i])).toBeLessThan(1e-6);
    }
  });

  it('rejects a block placement the model does not have, or a model without blocks, naming the field', async () => {
    await expect(train(lm({ interventions: [{ kind: 'fam', lambda: 1, placement: 'block:2' }] }))).rejects.toThrow(
      /^interventions\.0\.placement 'block:2': the model has 2 blocks \(block:0 to block:1\)/,
    );
    const mlp: TrainConfigInput = {
      dataset: { kind: 'modular', p: 13, trainFraction: 0.5 },
      model: { kind: 'quadratic-mlp', width: 16 },
      optimizer: { kind: 'adamw', lr: 1e-2 },
      epochs: 1,
      interventions: [{ kind: 'anti-collapse', lambda: 1, placement: 'all' }],
    };
    await expect(train(mlp)).rejects.toThrow(/^interventions\.0\.placement 'all' needs a model with blocks \(model\.kind 'gpt'\)/);
    await expect(train(lm({ interventions: [{ kind: 'fam', lambda: 1, placement: 'block:0', temperature: 2 }] }))).rejects.toThrow(
      /^interventions\.0\.temperature applies to placement 'head' only/,
    );
    await expect(train(lm({ interventions: [{ kind: 'fam', lambda: 1, placement: 'block-0' }] }))).rejects.toThrow(
      /^interventions\.0\.placement must be 'head', 'all' or 'block:k'/,
    );
  });

  /** The same structure, every number within `rtol` (float32 round-off; a wrong term differs at the 1st digit). */
  const expectClose = (got: unknown, want: unknown, rtol: number, at: string): void => {
    if (typeof want === 'number') {
      expect(typeof got, at).toBe('number');
      expect(Math.abs((got as number) - want), `${at}: ${String(got)} vs ${want}`).toBeLessThanOrEqual(
        rtol * Math.max(1e-12, Math.abs(want)),
      );
    } else if (want && typeof want === 'object') {
      expect(Object.keys(got as object).sort(), at).toEqual(Object.keys(want).sort());
      for (const [k, v] of Object.entries(want)) expectClose((got as Record<string, unknown>)[k], v, rtol, `${at}.${k}`);
    } else expect(got, at).toEqual(want);
  };

  it("placement 'head' reproduces the values logged before placements existed (recorded at b62dbe1), after block terms ran", async () => {
    const recorded = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/interventions/head-terms-b62dbe1.json'), 'utf8'));
    const configs: Record<string, TrainConfigInput> = {
      mlp: {
        dataset: { kind: 'modular', p: 13, trainFraction: 0.5 },
        model: { kind: 'quadratic-mlp', width: 16 },
        optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 1 },
        epochs: 4,
        interventions: [
          { kind: 'anti-flatness', lambda: 0.5, fromEpoch: 2, toEpoch: 3, temperature: 2, unitNormFeatures: true },
          { kind: 'fam', lambda: 1 },
        ],
      },
      gpt: lm({ epochs: 1, interventions: [{ kind: 'fam', lambda: 1, placement: 'head' }] }),
    };
    for (const [name, config] of Object.entries(configs)) {
      const logs = await run(config);
      const got = logs.map((l) => ({ step: l.step, train_loss: l.train_loss, test_loss: l.test_loss, interventions: l.interventions }));
      // to float32 round-off: the fused native cross-entropy and GELU (later than the recording) sum in another order
      // the first 15 steps: later, float32 round-off (the fused kernels sum in another order) grows as training does
      const early = <T extends { step: number }>(logs: T[]) => logs.filter((l) => l.step <= 15);
      expectClose(early(got), early(recorded[name]), 1e-4, name);
    }
  });
});
