import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { inspectTfjsModel, readTfjsModel } from './tfjs-model';

const dir = mkdtempSync(join(tmpdir(), 'plateau-tfjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

/** Writes a model.json whose first group is split over two shards mid-weight, as TF.js does at 4 MB. */
function writeModel(name: string, manifest?: unknown) {
  const kernel = new Float32Array([0.5, -1, 2, 3.25, -0.125, 7]);
  const bias = new Int32Array([3, -4]);
  const q = new Uint8Array([0, 10, 255]);
  const all = concat(bytesOf(kernel), bytesOf(bias));
  writeFileSync(join(dir, `${name}-1.bin`), all.subarray(0, 10));
  writeFileSync(join(dir, `${name}-2.bin`), all.subarray(10));
  writeFileSync(join(dir, `${name}-q.bin`), q);
  const m = manifest ?? [
    {
      paths: [`${name}-1.bin`, `${name}-2.bin`],
      weights: [
        { name: 'dense/kernel', shape: [2, 3], dtype: 'float32' },
        { name: 'dense/bias', shape: [2], dtype: 'int32' },
      ],
    },
    {
      paths: [`${name}-q.bin`],
      weights: [{ name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }],
    },
  ];
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: m }));
  return path;
}

async function expectError(p: Promise<unknown>, pattern: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlateauError);
  expect((err as Error).message).toMatch(pattern);
}

describe('readTfjsModel', () => {
  it('reads weights across shards, int32 and uint8-quantized weights', async () => {
    const m = await readTfjsModel(writeModel('ok'));
    expect(m.format).toBe('tfjs');
    expect(m.tensors.map((t) => [t.name, t.shape, t.dtype])).toEqual([
      ['dense/kernel', [2, 3], 'f4'],
      ['dense/bias', [2], 'i4'],
      ['q', [3], 'f4'],
    ]);
    expect(Array.from(m.tensors[0].data)).toEqual([0.5, -1, 2, 3.25, -0.125, 7]);
    expect(Array.from(m.tensors[1].data)).toEqual([3, -4]);
    expect(Array.from(m.tensors[2].data)).toEqual([-1, 4, 126.5]);
  });

  it('lists weights without reading shards, then loads one', async () => {
    const index = await inspectTfjsModel(writeModel('lazy'));
    rmSync(join(dir, 'lazy-q.bin'));
    expect(index.tensors.map((t) => t.name)).toEqual(['dense/kernel', 'dense/bias', 'q']);
    expect((await index.load(['dense/bias']))[0].data).toEqual(new Int32Array([3, -4]));
    await expectError(index.load(['q']), /cannot read weight shard lazy-q\.bin/);
  });

  it('reports a truncated shard, naming the weight', async () => {
    const path = writeModel('cut');
    writeFileSync(join(dir, 'cut-2.bin'), new Uint8Array(4));
    await expectError(readTfjsModel(path), /cut\.json: weight 'dense\/kernel' needs bytes \[0, 24\).*hold 14/);
  });

  it('refuses shard paths outside the folder, missing manifests and unsupported dtypes', async () => {
    await expectError(readTfjsModel(writeModel('escape', [{ paths: ['../x.bin'], weights: [] }])), /leaves the model's folder/);
    await expectError(
      readTfjsModel(writeModel('str', [{ paths: ['str-1.bin'], weights: [{ name: 's', shape: [1], dtype: 'string' }] }])),
      /unsupported dtype 'string'/,
    );
    const nojson = join(dir, 'bad.json');
    writeFileSync(nojson, '{"modelTopology": {}}');
    await expectError(readTfjsModel(nojson), /bad\.json: has no 'weightsManifest'/);
    writeFileSync(nojson, '{not json');
    await expectError(readTfjsModel(nojson), /bad\.json: is not valid UTF-8 JSON/);
  });

  // Both found by the import fuzz suite: an inherited name passed the dtype check, a repeated name broke the checkpoint write.
  it("refuses a dtype named like an object's own member, and a weight listed twice", async () => {
    for (const dtype of ['constructor', '__proto__', 'toString']) {
      const manifest = [{ paths: [], weights: [{ name: 'w', shape: [1], dtype }] }];
      await expectError(readTfjsModel(writeModel(`proto-${dtype}`, manifest)), new RegExp(`unsupported dtype '${dtype}'`));
    }
    const w = { name: 'w', shape: [1], dtype: 'float32' };
    const twice = [{ paths: ['twice-1.bin'], weights: [w, w] }];
    await expectError(readTfjsModel(writeModel('twice', twice)), /twice\.json: weight 'w' appears twice in the weightsManifest/);
  });
});
