// A standing fuzz suite over every import format: mutations of real small files, seeded (set
// PLATEAU_FUZZ_SEED to replay or explore, PLATEAU_FUZZ_CASES for a longer run) and time-boxed. Each
// mutated file must import (inspect, load, convert to a Plateau checkpoint with its metrics) or fail with
// a PlateauError whose message names the file: never another exception type, never a slow case.
import { mkdirSync, readdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import {
  editNpyHeader,
  editNumber,
  editPickleInt,
  editSafetensorsHeader,
  editWord,
  int,
  mutateBytes,
  mutateZipMember,
  pick,
  rng,
  type Mutation,
  type Rand,
} from '../test/fuzz';
import { inspectImport, isFolderImport } from './import-file';
import { dumpRows, importCheckpoint, importSteps } from './import-run';
import { encodeNpy } from './npy';
import { encodeSafetensors } from './safetensors';

const SEED = Number(process.env.PLATEAU_FUZZ_SEED ?? 20261206);
const CASES = Number(process.env.PLATEAU_FUZZ_CASES ?? 120);
/** Per format: the suite stops early on a slow machine rather than overrun (~20 s in all). */
const BUDGET_MS = Number(process.env.PLATEAU_FUZZ_BUDGET_MS ?? 3500);
/** A case slower than this counts as a hang (files here are kilobytes: real work takes milliseconds). */
const SLOW_MS = 5000;

const FIXTURES = resolve(__dirname, '../../../test/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'plateau-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the import worker does with a file: inspect, load every tensor, write the checkpoint and measure it. */
async function importAll(path: string, work: string): Promise<string[]> {
  const index = await inspectImport(path);
  if (isFolderImport(index)) {
    // a folder (a series, or one checkpoint in shards): every checkpoint in it, as the import job does
    for (const [i, { file }] of importSteps(index).entries()) await importCheckpoint(file, i, join(work, `step-${i}.safetensors`));
    return [];
  }
  await index.load();
  if (index.format === 'feature-dump') await dumpRows(path);
  else await importCheckpoint(index, 0, join(work, 'step.safetensors'));
  return Object.values(index.scalars ?? {}).map(String);
}

interface Failure {
  case: string;
  error: string;
}

/** Runs `cases` mutations of `make`; returns the cases that broke the contract. */
type Case = { files: Record<string, Uint8Array>; entry: string; what: string };

async function fuzz(format: string, make: (r: Rand, i: number) => Case): Promise<{ ran: number; failures: Failure[] }> {
  const failures: Failure[] = [];
  const started = performance.now();
  let ran = 0;
  for (let i = 0; i < CASES && performance.now() - started < BUDGET_MS; i++, ran++) {
    const r = rng(SEED + i * 7919 + format.length);
    const { files, entry, what } = make(r, i);
    const work = join(dir, `${format}-${i}`);
    mkdirSync(work);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(work, name), bytes);
    const path = join(work, entry);
    const t0 = performance.now();
    const label = `${format} #${i} (seed ${SEED}): ${what}`;
    try {
      // A pickle may name a callable only from the allow-list, which is never called: one naming os.system
      // (the hostile fixture, mutated) must be refused, never come back as data.
      const named = (await importAll(path, work)).filter((s) => /\bsystem\b|posix|subprocess|builtins/.test(s));
      if (named.length) failures.push({ case: label, error: `imported a pickle naming ${named.join(', ')}` });
    } catch (err) {
      const ok = err instanceof PlateauError && err.message.length > 0 && err.message.includes(basename(path));
      const why = err instanceof PlateauError ? `PlateauError not naming the file: ${err.message}` : String((err as Error)?.stack ?? err);
      if (!ok) failures.push({ case: label, error: why });
    }
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) failures.push({ case: label, error: `took ${ms.toFixed(0)} ms` });
    rmSync(work, { recursive: true, force: true });
  }
  console.info(`fuzz ${format}: ${ran} cases, ${failures.length} failures, seed ${SEED}`);
  return { ran, failures };
}

const blindOrHeader = (r: Rand, b: Uint8Array, header: (r: Rand, b: Uint8Array) => Mutation) =>
  int(r, 2) ? mutateBytes(r, b) : header(r, b);

// The originals: each imports cleanly before any mutation (checked first in every block).
const safetensorsFiles = {
  weights: encodeSafetensors(
    {
      'fc.weight': { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5) },
      'fc.bias': { shape: [4], data: new Float64Array([0.1, -0.2, 0.3, 1e-300]) },
      steps: { shape: [2], data: new Int32Array([7, -7]) },
    },
    { step: '3', note: 'x' },
  ),
  dump: encodeSafetensors({
    features: { shape: [6, 3], data: Float32Array.from({ length: 18 }, (_, i) => Math.sin(i)) },
    labels: { shape: [6], data: new Int32Array([0, 1, 0, 1, 0, 1]) },
    weight: { shape: [2, 3], data: new Float32Array([1, 0, -1, 0.5, 0.5, 0.5]) },
    bias: { shape: [2], data: new Float32Array([0.1, -0.1]) },
  }),
};
const npyFiles = {
  f4: encodeNpy(
    [3, 4],
    Float32Array.from({ length: 12 }, (_, i) => i - 5.5),
  ),
  i2: encodeNpy([5], new Int16Array([1, -2, 3, -4, 5])),
};
const npzFiles = {
  stored: zipSync({ 'a.npy': npyFiles.f4, 'b.npy': npyFiles.i2 }, { level: 0 }),
  deflated: zipSync({ 'a.npy': npyFiles.f4, 'b.npy': npyFiles.i2 }, { level: 6 }),
  dump: new Uint8Array(readFileSync(join(FIXTURES, 'metrics/etf_c4.npz'))),
};
const TORCH = ['mlp_state', 'train_ckpt', 'views', 'dtypes', 'buffer_ckpt', 'evil'];
const torchFiles = Object.fromEntries(TORCH.map((n) => [n, new Uint8Array(readFileSync(join(FIXTURES, `import/${n}.pt`)))]));

function tfjsModel(): Record<string, Uint8Array> {
  const kernel = new Uint8Array(Float32Array.from([0.5, -1, 2, 3.25, -0.125, 7]).buffer);
  const bias = new Uint8Array(new Int32Array([3, -4]).buffer);
  const shard = new Uint8Array([...kernel, ...bias]);
  const json = JSON.stringify({
    format: 'layers-model',
    modelTopology: {},
    weightsManifest: [
      {
        paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
        weights: [
          { name: 'dense/kernel', shape: [2, 3], dtype: 'float32' },
          { name: 'dense/bias', shape: [2], dtype: 'int32' },
        ],
      },
      {
        paths: ['group2-shard1of1.bin'],
        weights: [{ name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }],
      },
    ],
  });
  return {
    'model.json': new TextEncoder().encode(json),
    'group1-shard1of2.bin': shard.subarray(0, 10),
    'group1-shard2of2.bin': shard.subarray(10),
    'group2-shard1of1.bin': new Uint8Array([0, 10, 255]),
  };
}

function editJsonText(r: Rand, b: Uint8Array): Mutation {
  const text = new TextDecoder().decode(b);
  const e = int(r, 2) ? editNumber(r, text) : editWord(r, text);
  return { what: `json: ${e.what}`, bytes: new TextEncoder().encode(e.text) };
}

async function expectClean(failures: Failure[], ran: number) {
  expect(ran).toBeGreaterThan(0);
  expect(failures, failures.map((f) => `${f.case}\n  ${f.error}`).join('\n')).toEqual([]);
}

describe('import fuzz: every mutation imports or fails with a PlateauError naming the file', () => {
  it('the unmutated originals import', async () => {
    const w = join(dir, 'originals');
    mkdirSync(w);
    const all: [string, Uint8Array][] = [
      ...Object.entries(safetensorsFiles).map(([k, b]) => [`${k}.safetensors`, b] as [string, Uint8Array]),
      ...Object.entries(npyFiles).map(([k, b]) => [`${k}.npy`, b] as [string, Uint8Array]),
      ...Object.entries(npzFiles).map(([k, b]) => [`${k}.npz`, b] as [string, Uint8Array]),
      ...TORCH.filter((n) => n !== 'evil').map((n) => [`${n}.pt`, torchFiles[n]] as [string, Uint8Array]),
    ];
    for (const [name, bytes] of all) {
      writeFileSync(join(w, name), bytes);
      await importAll(join(w, name), w);
    }
    for (const [name, bytes] of Object.entries(tfjsModel())) writeFileSync(join(w, name), bytes);
    await importAll(join(w, 'model.json'), w);
  });

  it('safetensors (weights and a feature dump): blind edits and header edits', { timeout: 60_000 }, async () => {
    const { ran, failures } = await fuzz('safetensors', (r) => {
      const [kind, b] = pick(r, Object.entries(safetensorsFiles));
      const m = blindOrHeader(r, b, editSafetensorsHeader);
      return { files: { 'm.safetensors': m.bytes }, entry: 'm.safetensors', what: `${kind}: ${m.what}` };
    });
    await expectClean(failures, ran);
  });

  it('npy: blind edits and header edits', { timeout: 60_000 }, async () => {
    const { ran, failures } = await fuzz('npy', (r) => {
      const [kind, b] = pick(r, Object.entries(npyFiles));
      const m = blindOrHeader(r, b, editNpyHeader);
      return { files: { 'm.npy': m.bytes }, entry: 'm.npy', what: `${kind}: ${m.what}` };
    });
    await expectClean(failures, ran);
  });

  it('npz (arrays and a feature dump): blind edits, and edits of a member behind a valid CRC', { timeout: 60_000 }, async () => {
    const { ran, failures } = await fuzz('npz', (r) => {
      const [kind, b] = pick(r, Object.entries(npzFiles));
      const member = (rr: Rand, bytes: Uint8Array) => blindOrHeader(rr, bytes, editNpyHeader);
      const m = int(r, 3) === 0 ? mutateBytes(r, b) : mutateZipMember(r, b, (names) => pick(r, names), member);
      return { files: { 'm.npz': m.bytes }, entry: 'm.npz', what: `${kind}: ${m.what}` };
    });
    await expectClean(failures, ran);
  });

  it('torch zip/pickle (state dicts, training checkpoints, views, dtypes, a hostile pickle)', { timeout: 60_000 }, async () => {
    const { ran, failures } = await fuzz('torch', (r) => {
      const [kind, b] = pick(r, Object.entries(torchFiles));
      const choice = int(r, 4);
      // blind over the zip; the pickle behind a valid CRC, blind or at an integer argument; any member
      const member = (names: string[]) => (choice === 3 ? pick(r, names) : names.find((n) => n.endsWith('data.pkl'))!);
      const m = choice === 0 ? mutateBytes(r, b) : mutateZipMember(r, b, member, choice === 2 ? editPickleInt : mutateBytes);
      return { files: { 'm.pt': m.bytes }, entry: 'm.pt', what: `${kind}: ${m.what}` };
    });
    await expectClean(failures, ran);
  });

  it(
    'pytorch_model.bin shards with their index (the streamed route): edits of a shard, its members, or the index',
    { timeout: 60_000 },
    async () => {
      const src = join(FIXTURES, 'torch-shards/bf16');
      const shards: Record<string, Uint8Array> = Object.fromEntries(
        readdirSync(src).map((n) => [n, new Uint8Array(readFileSync(join(src, n)))]),
      );
      const whole = await inspectImport(src); // one checkpoint of 6 tensors in two shards (else the cases test nothing)
      const steps = isFolderImport(whole) ? importSteps(whole) : [];
      expect(steps.map((s) => [s.file.format, s.file.tensors.length])).toEqual([['torch', 6]]);
      const { ran, failures } = await fuzz('torch-shards', (r) => {
        const files = { ...shards };
        const name = pick(r, Object.keys(files));
        const m = name.endsWith('.json')
          ? editJsonText(r, files[name])
          : int(r, 2)
            ? mutateBytes(r, files[name])
            : mutateZipMember(r, files[name], (names) => pick(r, names), mutateBytes);
        files[name] = m.bytes;
        return { files, entry: '.', what: `${name}: ${m.what}` };
      });
      await expectClean(failures, ran);
    },
  );

  it('TensorBoard event files: blind edits of a real run folder', { timeout: 60_000 }, async () => {
    const tb = join(FIXTURES, 'logs/tensorboard/runs/lr0.01/events.out.tfevents.1700000000.host.201.0.v2');
    const events = new Uint8Array(readFileSync(tb));
    const { ran, failures } = await fuzz('logs', (r) => {
      const m = mutateBytes(r, events);
      return { files: { [basename(tb)]: m.bytes }, entry: '.', what: `tfevents: ${m.what}` };
    });
    await expectClean(failures, ran);
  });

  it('tfjs model.json + weight shards: edits of the JSON and of the shards', { timeout: 60_000 }, async () => {
    const { ran, failures } = await fuzz('tfjs', (r) => {
      const files = tfjsModel();
      const name = int(r, 2) ? 'model.json' : pick(r, Object.keys(files));
      const m = name === 'model.json' && int(r, 3) ? editJsonText(r, files[name]) : mutateBytes(r, files[name]);
      files[name] = m.bytes;
      return { files, entry: 'model.json', what: `${name}: ${m.what}` };
    });
    await expectClean(failures, ran);
  });
});
