import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRunFolders, readPoints, readRunFolder } from './client-run-folder';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const meta = { format: 'plateau-client-run', version: 1, uid: 'abcd-1234', project: 'p', name: 'n', config: {}, tags: [] };
const origin = { host: 'h', gitCommit: null, command: 'python t.py', clientVersion: '0.1.0' };
function folder(files: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'plateau-folder-'));
  const run = join(dir, 'run-a');
  mkdirSync(join(run, 'checkpoints'), { recursive: true });
  writeFileSync(join(run, 'run.json'), JSON.stringify({ ...meta, origin }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(run, name), text);
  return run;
}
const all = async (run: string, onCut = () => {}) => {
  const out = [];
  for await (const b of readPoints(run, 2, onCut)) out.push(b.map((p) => p.step));
  return out;
};
const line = (step: number) => JSON.stringify({ step, key: 'loss', value: 1 / (step + 1), split: 'train', epoch: null });

describe('offline run folders', () => {
  it('are found in a parent folder and read in batches; a last line cut short is left out and counted', async () => {
    const run = folder({ 'metrics.jsonl': [line(0), line(1), line(2), '{"step": 3, "ke'].join('\n') });
    expect(findRunFolders(dir)).toEqual([run]);
    expect(findRunFolders(run)).toEqual([run]);
    let cut = 0;
    expect(await all(run, () => cut++)).toEqual([[0, 1], [2]]);
    expect(cut).toBe(1);
    expect(readRunFolder(run)).toMatchObject({ start: { uid: 'abcd-1234', origin }, checkpoints: [], finish: undefined });
  });

  it('refuse a bad line by file and number, a file outside the folder and a bad run.json by name', async () => {
    const run = folder({
      'metrics.jsonl': [line(0), '{"step": -1, "key": "x", "value": 1, "split": "train", "epoch": null}', line(2)].join('\n'),
    });
    await expect(all(run)).rejects.toThrow(/metrics\.jsonl:2: step /);
    const sha = 'a'.repeat(64);
    writeFileSync(
      join(run, 'checkpoints.jsonl'),
      JSON.stringify({ step: 1, epoch: null, file: '../../etc/passwd', sha256: sha, bytes: 4, features: null }),
    );
    expect(() => readRunFolder(run)).toThrow(/checkpoints\.jsonl:1: \.\.\/\.\.\/etc\/passwd is outside the run folder/);
    writeFileSync(join(run, 'run.json'), JSON.stringify({ ...meta, uid: 'x', origin }));
    expect(() => readRunFolder(run)).toThrow(/run\.json: uid must be 8 to 64 letters/);
    expect(() => findRunFolders(join(dir, 'nope'))).toThrow(/no such folder/);
  });
});
