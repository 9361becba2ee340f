import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { computeEvalSetMetrics } from '../ml/metrics/eval-sets';
import { writeDumpSet, type DumpSetSpec } from '../test/write-dump-set';
import { readFeatureDump } from './feature-dump';
import { inspectImport, type FileImport } from './import-file';
import { openDumpSet } from './lm-dump-set';
import { encodeNpy } from './npy';

const dir = mkdtempSync(join(tmpdir(), 'plateau-dump-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// lm_zipf_v2000 (values from an independent float64 NumPy implementation) split into two evaluation
// sets: 'train' holds the fixture's training rows, 'de' its test rows, each in uneven chunk files.
const ROOT = resolve(__dirname, '../../..');
const FIXTURES = ['../shared/fixtures/metrics', '../../shared/fixtures/metrics']
  .map((p) => resolve(ROOT, p))
  .find((d) => existsSync(resolve(d, 'lm_zipf_v2000.npz')));

function close(got: number | undefined, want: number, where: string) {
  expect(typeof got, where).toBe('number');
  expect(Math.abs(got! - want), `${where}: got ${got}, expected ${want}`).toBeLessThanOrEqual(Math.max(1e-6 * Math.abs(want), 1e-9));
}

describe('an LM dump set, metrics per evaluation set', () => {
  it.runIf(FIXTURES)(
    'each set matches lm_zipf_v2000.expected.json: train rows as one set, test rows as another, streamed over chunk files',
    async () => {
      const fx = await readFeatureDump(resolve(FIXTURES!, 'lm_zipf_v2000.npz'));
      const expected = JSON.parse(readFileSync(resolve(FIXTURES!, 'lm_zipf_v2000.expected.json'), 'utf8'));
      const { C, m } = fx.layer;
      const path = writeDumpSet(join(dir, 'zipf'), {
        weight: Float32Array.from(fx.layer.weight),
        C,
        m,
        chunkRows: 7000,
        trainSet: 'train',
        sets: [
          { name: 'train', features: Float32Array.from(fx.train.features), labels: fx.train.labels },
          { name: 'de', features: Float32Array.from(fx.test!.features), labels: fx.test!.labels },
        ],
      });
      const set = openDumpSet(path);
      expect(set.splits.map((s) => [s.name, s.split.n])).toEqual([
        ['train', 20000],
        ['de', 10000],
      ]);
      const r = computeEvalSetMetrics(set.splits, set.layer, undefined, { trainSet: set.trainSet });
      // per set: every per-split key of the fixture (the test block for 'de'), loss and acc under their plain names
      for (const [key, want] of Object.entries(expected.test as Record<string, number>)) close(r.sets.de[key], want, `de.${key}`);
      for (const key of Object.keys(expected.test)) close(r.sets.train[key], expected[key], `train.${key}`);
      close(r.sets.train.loss, expected.train_loss, 'train.loss');
      close(r.sets.train.acc, expected.train_acc, 'train.acc');
      close(r.sets.de.loss, expected.test_loss, 'de.loss');
      close(r.sets.de.acc, expected.test_acc, 'de.acc');
      // gap_loss of a set = loss(set) - train_loss (METRICS.md "Named evaluation sets")
      close(r.sets.de.gap_loss, expected.gap_loss, 'de.gap_loss');
      expect(r.sets.train.gap_loss).toBe(0);
      close(r.model.train_loss, expected.train_loss, 'train_loss');
      for (const key of ['fro_norm', 'spectral_norm', 'stable_rank']) close(r.model[key], expected[key], key);
      expect(r.collapse).toMatchObject({ collapse_top_k: expected._collapse_top_k, 'train.classes_present': expected._classes_present });
    },
    300_000,
  );

  it('without a training set, gap_loss is left out with its reason and the rest is computed', () => {
    const path = writeDumpSet(join(dir, 'small'), small());
    const set = openDumpSet(path);
    const r = computeEvalSetMetrics(set.splits, set.layer, ['kappa', 'gap_loss', 'perplexity'], { trainSet: null });
    expect(Object.keys(r.sets.en).sort()).toEqual(['acc', 'kappa', 'loss', 'perplexity']);
    expect(r.omitted['de.gap_loss']).toMatch(/no set is named as the training data/);
    close(r.sets.de.perplexity, Math.exp(r.sets.de.loss), 'perplexity = exp(loss)');
  });

  it('is found by the import reader as one checkpoint (folder or manifest), the head and the sets listed by shape', async () => {
    const path = writeDumpSet(join(dir, 'inspect'), { ...small(), step: 1000 });
    for (const p of [path, join(path, 'manifest.json')]) {
      const index = await inspectImport(p);
      expect(index.format).toBe('lm-dump-set');
      expect(index.tensors.map((t) => `${t.name} ${t.shape.join('x')}`)).toEqual([
        'weight 5x3',
        'bias 5',
        'en/features 7x3',
        'en/labels 7',
        'de/features 4x3',
        'de/labels 4',
      ]);
      expect((index as FileImport).scalars).toMatchObject({ step: 1000, sets: 'en,de' });
    }
  });
});

/** 5 classes, m = 3, sets en (7 positions, chunks of 3) and de (4), with a bias. */
function small(): DumpSetSpec {
  const f = (n: number, seed: number) => Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(seed + i * 0.7));
  return {
    weight: Float32Array.from({ length: 15 }, (_, i) => Math.cos(i)),
    bias: Float32Array.from([0.1, -0.2, 0, 0.3, 0]),
    C: 5,
    m: 3,
    chunkRows: 3,
    sets: [
      { name: 'en', features: f(7, 1), labels: Int32Array.from([0, 1, 2, 3, 4, 0, 1]) },
      { name: 'de', features: f(4, 2), labels: Int32Array.from([4, 3, 2, 2]) },
    ],
  };
}

describe('a dump set that does not hold together is refused, naming the file', () => {
  const broken = (name: string, edit: (d: string) => void, spec: Partial<DumpSetSpec> = {}) => {
    const d = writeDumpSet(join(dir, name), { ...small(), ...spec });
    edit(d);
    return () => {
      const set = openDumpSet(d);
      computeEvalSetMetrics(set.splits, set.layer);
    };
  };

  it('a head whose width differs from the features', () => {
    // the manifest and the chunks say m = 3; the head file holds 5 x 4
    const d = writeDumpSet(join(dir, 'wide'), small());
    writeFileSync(
      join(d, 'head.npz'),
      zipSync({ 'weight.npy': encodeNpy([5, 4], new Float32Array(20)), 'bias.npy': encodeNpy([5], new Float32Array(5)) }),
    );
    expect(() => openDumpSet(d)).toThrow(/head\.npz: 'weight' must be float \[5, 3\].*got f4 \[5, 4\]/);
  });

  it('features of another width in a chunk', () => {
    const spec = small();
    const run = broken('narrow', (d) => {
      const other = writeDumpSet(join(dir, 'narrow-src'), {
        ...spec,
        m: 2,
        weight: new Float32Array(10),
        sets: spec.sets.map((s) => ({ ...s, features: s.features.slice(0, s.labels.length * 2) })),
      });
      writeFileSync(join(d, 'de/chunk-00001.npz'), readFileSync(join(other, 'de/chunk-00001.npz')));
    });
    expect(run).toThrow(/de\/chunk-00001\.npz: 'features' must be \[1, 3\].*got f4 \[1, 2\]/);
  });

  it('a target outside the head (>= C)', () => {
    const spec = small();
    spec.sets[1].labels = Int32Array.from([4, 3, 5, 2]);
    expect(() => openDumpSet(writeDumpSet(join(dir, 'target'), spec))).toThrow(
      /de\/chunk-00000\.npz: label 5 at row 2 is outside \[0, 5\)/,
    );
  });

  it('a missing chunk file, a chunk outside the folder, a bad set name, an unknown training set', () => {
    expect(broken('missing', (d) => rmSync(join(d, 'en/chunk-00002.npz')))).toThrow(/en\/chunk-00002\.npz: cannot read \(ENOENT\)/);
    const outside = { sets: [{ name: 'en', positions: 1, chunks: [{ file: '../x.npz', rows: 1 }] }] };
    expect(() => openDumpSet(writeDumpSet(join(dir, 'outside'), { ...small(), manifest: outside }))).toThrow(/'\.\.\/x\.npz' lies outside/);
    const badName = { sets: [{ name: 'en/../x', chunks: [{ file: 'en/chunk-00000.npz', rows: 3 }] }] };
    expect(() => openDumpSet(writeDumpSet(join(dir, 'name'), { ...small(), manifest: badName }))).toThrow(/sets\[0\]\.name "en\/\.\.\/x"/);
    expect(() => openDumpSet(writeDumpSet(join(dir, 'train'), { ...small(), trainSet: 'fr' }))).toThrow(/'train_set' names 'fr'/);
  });
});
