import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckpointCapture } from '../ml/metrics/checkpoint-rows';
import { startMeasurer } from './measurer';

/** Stand-in helper threads, so ordering, back-pressure and failure are checked without the metrics. */
const dir = mkdtempSync(join(tmpdir(), 'plateau-measurer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function helper(name: string, body: string): URL {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', async (m) => {\n${body}\n});\n`);
  return pathToFileURL(file);
}
const capture = (n: number): CheckpointCapture => ({
  train: { features: new Float32Array(n), labels: new Int32Array(n), n, m: 1 },
  test: { features: new Float32Array(n), labels: new Int32Array(n), n, m: 1 },
  layer: { weight: new Float32Array(1), bias: null, C: 1, m: 1 },
  weights: [],
});

describe('startMeasurer (checkpoint metrics off the training thread)', () => {
  it('answers each capture with its rows, moves the buffers to the helper, and queues captures up to its byte bound', async () => {
    // the helper answers with how many features it got, slowly: later requests queue behind it
    const url = helper(
      'echo',
      `if (m.type !== 'measure') return; await new Promise((r) => setTimeout(r, 30));
      parentPort.postMessage({ id: m.id, rows: [{ step: m.at.step, epoch: m.at.epoch, split: 'train', key: 'n', value: m.capture.train.features.length }] });`,
    );
    const events: string[] = [];
    const m = startMeasurer(url, () => {}, 220); // the captures below take 84, 100 and 116 bytes
    const note = (k: number) => (rows: { value: number }[] | null) => events.push(`rows ${k}: ${rows?.[0]?.value}`);
    const sent = capture(5);
    const r0 = (await m.measure(sent, { step: 0, epoch: 0 })).rows.then(note(0));
    events.push('queued 0');
    expect(sent.train.features.length).toBe(0); // transferred, not copied
    const r1 = (await m.measure(capture(6), { step: 1, epoch: 1 })).rows.then(note(1));
    events.push('queued 1');
    const r2 = (await m.measure(capture(7), { step: 2, epoch: 2 })).rows.then(note(2)); // 300 bytes: waits until the first is measured
    events.push('queued 2');
    await Promise.all([r0, r1, r2]);
    await m.close();
    expect(events).toEqual(['queued 0', 'queued 1', 'rows 0: 5', 'queued 2', 'rows 1: 6', 'rows 2: 7']);
  });

  it("hands a measured capture's feature buffers back for the next capture of the same size", async () => {
    const url = helper(
      'spare',
      `if (m.type !== 'measure') return; const spare = [m.capture.train.features.buffer, m.capture.test.features.buffer];
      parentPort.postMessage({ id: m.id, rows: [], spare }, spare);`,
    );
    const m = startMeasurer(url, () => {});
    const sent = capture(5);
    sent.train.features.fill(3);
    sent.test.features.fill(4);
    expect(Array.from(m.take(5))).toEqual([0, 0, 0, 0, 0]); // nothing handed back yet: a fresh array
    await (
      await m.measure(sent, { step: 0, epoch: 0 })
    ).rows;
    const again = [m.take(5), m.take(5), m.take(5)];
    // the two buffers come back holding what they held (their next capture overwrites them); a third is fresh
    expect(again.map((a) => a[0]).sort()).toEqual([0, 3, 4]);
    expect(m.take(6).length).toBe(6);
    await m.close();
  });

  it('the first error turns measuring off, says why once, and later captures get no rows', async () => {
    const url = helper('fail', `if (m.type === 'measure') parentPort.postMessage({ id: m.id, error: 'features are not finite' });`);
    const errors: string[] = [];
    const m = startMeasurer(url, (e) => errors.push(e));
    expect(await (await m.measure(capture(3), { step: 0, epoch: 0 })).rows).toBeNull();
    expect(await (await m.measure(capture(3), { step: 1, epoch: 1 })).rows).toBeNull();
    await m.close();
    expect(errors).toEqual(['features are not finite']);
    expect(m.failed).toBe(true);
  });
});
