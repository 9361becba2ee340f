import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../io/checkpoint-file';
import { initBackend } from '../ml/backend';
import { createRng } from '../ml/data/prng';
import { gpt } from '../ml/models/gpt';
import { loadWeights } from '../ml/models/model';
import { testApp } from '../test/test-app';

/** A GPT-2 written by PyTorch from the architecture (test/fixtures/gpt/make_gpt_reference.py): vocabulary 11, 2 layers, width 12. */
const fixtures = resolve(__dirname, '../../../test/fixtures/gpt');
const ref = JSON.parse(readFileSync(join(fixtures, 'gpt-reference.json'), 'utf8'));
let t: ReturnType<typeof testApp>;
let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'plateau-gpt2-'));
  // a Hugging Face folder: the weights and GPT-2's config.json
  mkdirSync(join(dir, 'hf'));
  copyFileSync(join(fixtures, 'gpt-tied.safetensors'), join(dir, 'hf', 'model.safetensors'));
  const config = { model_type: 'gpt2', n_head: ref.H, n_embd: ref.D, n_layer: ref.L, n_positions: ref.P, vocab_size: ref.V };
  writeFileSync(join(dir, 'hf', 'config.json'), JSON.stringify(config));
  // nine letters in every paragraph: the chars tokenizer's vocabulary is <unk>, the separator's newline and 9 = the checkpoint's 11
  const para = (i: number) => 'abcdefghi'.repeat(3).slice(i % 9, (i % 9) + 18);
  writeFileSync(join(dir, 'corpus.txt'), Array.from({ length: 40 }, (_, i) => para(i)).join('\n\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => t?.dispose());

describe('evaluating an imported Hugging Face GPT-2 checkpoint on a corpus', () => {
  it('becomes a Plateau GPT whose forward pass is the PyTorch reference, measured by the metrics job', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'LM' });
    const run = await t.client.imports.start({ projectId: p.id, path: join(dir, 'hf') });
    await t.app.ctx.jobs.idle();
    const dataset = { kind: 'text', path: join(dir, 'corpus.txt'), documents: 'paragraph', tokenizer: 'chars', contextLength: 6 };
    await t.client.imports.evaluate({ runId: run.id, dataset });
    await t.app.ctx.jobs.idle();
    const stored = (await t.client.runs.get({ id: run.id })).config as Record<string, unknown>;
    expect(stored.model).toEqual({ kind: 'gpt', layers: 2, dModel: 12, heads: 3, mlpWidth: 48, positions: 8, tiedHead: true });
    // the rewritten checkpoint, loaded into our GPT, gives PyTorch's logits on the reference ids
    const ckpt = (await t.client.runs.checkpoints({ id: run.id }))[0];
    const model = gpt(createRng(0), { vocab: ref.V, length: ref.T, positions: ref.P, dModel: ref.D, heads: ref.H, layers: ref.L });
    loadWeights(model, (await readCheckpoint(ckpt.file)).weights);
    const logits = tf.tidy(() => model.forward(tf.tensor2d(ref.ids, [ref.ids.length / ref.T, ref.T], 'int32')).logits.dataSync());
    let err = 0;
    logits.forEach((v, i) => (err = Math.max(err, Math.abs(v - ref.tied.logits[i]))));
    expect(err).toBeLessThan(1e-5);
    model.dispose();
    // the metrics job measured the head on the corpus: losses, perplexity = exp(loss), kappa
    const series = await t.client.metrics.series({ runIds: [run.id], keys: ['train_loss', 'perplexity', 'kappa'], split: 'train' });
    const value = (k: string) => series.find((s) => s.key === k && s.layer === '')?.values[0];
    expect((await t.client.jobs.list({})).map((j) => [j.kind, j.state])).toEqual([
      ['metrics', 'succeeded'],
      ['import', 'succeeded'],
    ]);
    expect(value('train_loss')).toBeGreaterThan(0);
    expect(value('perplexity')).toBeCloseTo(Math.exp(value('train_loss')!), 6);
    expect(value('kappa')).toBeGreaterThan(0);
  });

  it('refuses a corpus whose tokenizer does not match the vocabulary, naming both', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'LM' });
    const run = await t.client.imports.start({ projectId: p.id, path: join(dir, 'hf') });
    await t.app.ctx.jobs.idle();
    await expect(t.client.imports.evaluate({ runId: run.id, dataset: { kind: 'text', path: join(dir, 'corpus.txt') } })).rejects.toThrow(
      /vocabulary has 11 tokens, the bytes tokenizer 256/,
    );
    await expect(t.client.imports.evaluate({ runId: run.id, dataset: { kind: 'gaussian-mixture', classes: 3, dim: 4 } })).rejects.toThrow(
      /text dataset/,
    );
  });
});
