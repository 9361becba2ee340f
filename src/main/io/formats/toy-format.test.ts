// The "done when" for formats: a format added in one new file (src/main/test/toy-format.mjs) and one
// registration line is listed everywhere formats are listed, and importable.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugin } from '../../app/plugins';
import { testApp } from '../../test/test-app';
import { readCheckpoint } from '../checkpoint-file';
import { inspectImport, isFolderImport, type FileImport } from '../import-file';
import { importCheckpoint, importSteps } from '../import-run';
import { importExtensions, importFormats, registerImportFormat, supportedImports } from '.';

// the format's one file, loaded as a plugin: this is its registration line
const toyFormat = (await loadPlugin(resolve(__dirname, '../../test/toy-format.mjs'))).importFormat!;

const dir = mkdtempSync(join(tmpdir(), 'plateau-toy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const toy = (scale: number) => `TOY1\nfc.weight 2x3 ${[1, 2, 3, 4, 5, 6].map((v) => v * scale).join(' ')}\nfc.bias 2 ${scale} ${-scale}\n`;

describe('a format added on one registration line', () => {
  it('is listed: the registry, the supported-formats line, the pick dialog filter, and system.info for the renderer', async () => {
    expect(importFormats().map((f) => f.id)).toEqual(['feature-dump', 'safetensors', 'torch', 'npy', 'npz', 'tfjs', 'lm-dump-set', 'toy']);
    expect(supportedImports()).toContain('Toy text tensors (.toy)');
    expect(importExtensions()).toContain('toy');
    const t = testApp();
    try {
      const info = await t.client.system.info({});
      expect(info.importFormats.at(-1)).toEqual({ id: 'toy', label: 'Toy text tensors', extensions: ['toy'] });
    } finally {
      await t.dispose();
    }
  });

  it('is importable: sniffed by its magic whatever the name, written as a checkpoint with its values', async () => {
    writeFileSync(join(dir, 'weights.txt'), toy(1));
    const file = (await inspectImport(join(dir, 'weights.txt'))) as FileImport;
    expect(file.format).toBe('toy');
    expect(file.tensors).toEqual([
      { name: 'fc.weight', shape: [2, 3], dtype: 'f4' },
      { name: 'fc.bias', shape: [2], dtype: 'f4' },
    ]);
    const r = await importCheckpoint(file, 0, join(dir, 'out.safetensors'));
    expect(r.rows.find((x) => x.key === 'fro_norm')?.value).toBeCloseTo(Math.sqrt(91), 5); // 1+4+9+16+25+36
    const saved = await readCheckpoint(join(dir, 'out.safetensors'));
    expect(Array.from(saved.weights['fc.weight'].data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(saved.weights['fc.bias'].data)).toEqual([1, -1]);
  });

  it('takes part in folders: a folder of toy files is a run ordered by step', async () => {
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'epoch_2.toy'), toy(2));
    writeFileSync(join(dir, 'run', 'epoch_1.toy'), toy(1));
    const idx = await inspectImport(join(dir, 'run'));
    if (!isFolderImport(idx)) throw new Error('expected a folder');
    expect(importSteps(idx).map((s) => [s.step, s.file.format])).toEqual([
      [1, 'toy'],
      [2, 'toy'],
    ]);
    expect(Array.from((await idx.files[1].import.load(['fc.bias']))[0].data)).toEqual([2, -2]);
  });

  it('cannot be registered twice', () => {
    expect(() => registerImportFormat(toyFormat)).toThrow(/'toy' is registered twice/);
  });
});
