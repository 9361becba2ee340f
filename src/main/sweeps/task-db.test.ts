import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseFile } from '../app/paths';
import { openDatabase } from '../db/connection';
import { createRepos } from '../db/repos';
import { readTaskRun } from './task-db';

/** A task's database as a node leaves it; half-finished ones must come back as a reason, not a run. */
const dir = mkdtempSync(join(tmpdir(), 'plateau-task-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = openDatabase(databaseFile(dir));
const repos = createRepos(db);
const project = repos.projects.create('sweep');
const running = repos.runs.create({ projectId: project.id, name: 'r', config: { epochs: 3 }, status: 'running', seed: 1 });
const done = repos.runs.create({ projectId: project.id, name: 'd', config: { epochs: 3 }, status: 'succeeded', seed: 2, backend: 'wasm' });
repos.checkpoints.add({ runId: done.id, step: 3, epoch: 3, file: '/x/step-00000003.safetensors', bytes: 10, sha256: 'ab' });
repos.metrics.insertMany(done.id, [
  { step: 3, epoch: 3, split: 'test', key: 'test_acc', value: 0.5 },
  { step: 3, epoch: 3, split: 'none', key: 'flatness', value: 2, checkpointStep: 3, details: { seed: 1 } },
]);
db.close();

describe('readTaskRun', () => {
  it('never hands over a run that is still going', () => {
    expect(readTaskRun(dir, running.id)).toMatch(/its run is running, not finished/);
  });

  it('explains a missing database or run', () => {
    expect(readTaskRun(join(dir, 'none'), 1)).toMatch(/no database at/);
    expect(readTaskRun(dir, 99)).toMatch(/no run 99/);
  });

  it('reads a finished run with its checkpoints and metrics, checkpoint links as steps', () => {
    const t = readTaskRun(dir, done.id);
    if (typeof t === 'string') throw new Error(t);
    expect(t.run).toMatchObject({ status: 'succeeded', seed: 2, backend: 'wasm', config: { epochs: 3 } });
    expect(t.checkpoints).toEqual([{ step: 3, epoch: 3, file: '/x/step-00000003.safetensors', bytes: 10, sha256: 'ab' }]);
    expect(t.metrics).toContainEqual({
      step: 3,
      epoch: 3,
      split: 'none',
      key: 'flatness',
      value: 2,
      layer: '',
      checkpointStep: 3,
      details: { seed: 1 },
    });
    expect(t.metrics).toContainEqual({ step: 3, epoch: 3, split: 'test', key: 'test_acc', value: 0.5, layer: '' });
  });
});
