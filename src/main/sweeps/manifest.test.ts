import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRecord,
  loadRecord,
  manifestFile,
  MANIFEST_FORMAT,
  readManifest,
  saveRecord,
  writeManifest,
  type SweepManifest,
  type SweepRecord,
} from './manifest';

const dir = mkdtempSync(join(tmpdir(), 'plateau-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const m: SweepManifest = {
  format: 'plateau-sweep',
  formatVersion: MANIFEST_FORMAT,
  plateauVersion: '0.1.0',
  id: 'a',
  preset: 'grokking-mlp',
  createdAt: 1,
  points: [{ index: 0, set: { 'model.width': '8' }, seed: 0 }],
  slurm: { partition: 'gpu' },
  node: 'node',
  plateau: '/opt/plateau/bin/plateau.mjs',
};

describe('sweep manifest and record', () => {
  it('round-trips the manifest', () => {
    writeManifest(dir, m);
    expect(readManifest(dir, '0.1.0')).toEqual(m);
  });

  it('refuses a manifest from another Plateau version, naming both', () => {
    writeManifest(dir, { ...m, plateauVersion: '0.0.9' });
    expect(() => readManifest(dir, '0.1.0')).toThrow(/written by Plateau 0\.0\.9 .*this is Plateau 0\.1\.0/);
    writeManifest(dir, { ...m, formatVersion: 99 });
    expect(() => readManifest(dir, '0.1.0')).toThrow(/format 99/);
  });

  it('refuses what is not a manifest', () => {
    writeFileSync(manifestFile(dir), '{"hello": 1}');
    expect(() => readManifest(dir, '0.1.0')).toThrow(/not a Plateau sweep manifest/);
    writeFileSync(manifestFile(dir), '{');
    expect(() => readManifest(dir, '0.1.0')).toThrow(/not JSON/);
    expect(() => readManifest(join(dir, 'gone'), '0.1.0')).toThrow(/No sweep manifest/);
  });

  it('keeps records per project; the newest is the default; names are unique', () => {
    const r = (id: string, createdAt: number): SweepRecord => ({
      formatVersion: 1,
      id,
      projectId: 3,
      sweepDir: `/s/${id}`,
      createdAt,
      submissions: [],
      collected: {},
    });
    expect(() => loadRecord(dir, 3)).toThrow(/no sweeps yet/);
    createRecord(dir, r('old', 1));
    createRecord(dir, r('new', 2));
    expect(loadRecord(dir, 3).id).toBe('new');
    expect(loadRecord(dir, 3, 'old').id).toBe('old');
    expect(() => createRecord(dir, r('old', 3))).toThrow(/already has a sweep 'old'/);
    saveRecord(dir, { ...r('old', 1), collected: { 0: { runId: 5, jobId: '9' } } });
    expect((loadRecord(dir, 3, 'old') as SweepRecord).collected['0']).toEqual({ runId: 5, jobId: '9' });
    expect(() => loadRecord(dir, 3, 'nope')).toThrow(/No sweep 'nope'.*old/);
  });
});
