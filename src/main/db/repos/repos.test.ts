import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../connection';
import { createRepos } from '.';

let close: () => void = () => {};
afterEach(() => close());
function repos() {
  const db = openDatabase(':memory:');
  close = () => db.close();
  return createRepos(db);
}

describe('projects repo', () => {
  it('creates, lists newest first, renames and refuses duplicate names ignoring case', () => {
    const r = repos();
    const a = r.projects.create('Alpha', '', 1);
    const b = r.projects.create('Beta', 'second', 2);
    expect(r.projects.list().map((p) => p.name)).toEqual(['Beta', 'Alpha']);
    expect(() => r.projects.create('alpha')).toThrow("A project named 'alpha' already exists");
    expect(() => r.projects.rename(b.id, 'ALPHA')).toThrow(/already exists/);
    expect(r.projects.rename(a.id, 'alpha', 5)).toMatchObject({ name: 'alpha', updatedAt: 5 });
    expect(() => r.projects.get(999)).toThrow('No project with id 999.');
  });

  it('removing a project removes its runs, tags, checkpoints and metrics', () => {
    const r = repos();
    const p = r.projects.create('P');
    const run = r.runs.create({ projectId: p.id, name: 'r', config: {}, status: 'succeeded' });
    r.runs.tag(run.id, ['keep'], []);
    r.db.prepare(`INSERT INTO checkpoints (run_id, step, file, bytes, sha256, created_at) VALUES (?, 10, 'f', 1, 'x', 1)`).run(run.id);
    r.db.prepare(`INSERT INTO metrics (run_id, step, split, key, value) VALUES (?, 10, 'train', 'kappa', 0.5)`).run(run.id);
    expect(r.projects.get(p.id).runCount).toBe(1);
    expect(r.projects.remove(p.id)).toEqual({ removed: p.id, runs: 1 });
    for (const t of ['runs', 'run_tags', 'checkpoints', 'metrics']) {
      expect(r.db.prepare(`SELECT count(*) AS n FROM ${t}`).get(), t).toEqual({ n: 0 });
    }
  });
});

describe('runs repo', () => {
  it('stores config, versions and tags, and updates status fields', () => {
    const r = repos();
    const p = r.projects.create('P');
    const run = r.runs.create({ projectId: p.id, name: 'grok', preset: 'grokking-mlp', config: { lr: 0.01 }, status: 'queued', seed: 3 }, 100);
    expect(run).toMatchObject({ name: 'grok', preset: 'grokking-mlp', config: { lr: 0.01 }, seed: 3, tags: [], createdAt: 100, origin: 'local' });
    expect(r.runs.tag(run.id, ['b', 'a', 'a'], []).tags).toEqual(['a', 'b']);
    expect(r.runs.tag(run.id, [], ['a']).tags).toEqual(['b']);
    const done = r.runs.update(run.id, { status: 'succeeded', backend: 'wasm', summary: { test_acc: 0.99 }, finishedAt: 200 });
    expect(done).toMatchObject({ status: 'succeeded', backend: 'wasm', summary: { test_acc: 0.99 }, finishedAt: 200 });
    expect(() => r.runs.update(999, { status: 'failed' })).toThrow('No run with id 999.');
  });

  it('marks runs cut off by a crash as interrupted', () => {
    const r = repos();
    const p = r.projects.create('P');
    const a = r.runs.create({ projectId: p.id, name: 'a', config: {}, status: 'running' });
    const b = r.runs.create({ projectId: p.id, name: 'b', config: {}, status: 'succeeded' });
    expect(r.runs.markInterrupted()).toBe(1);
    expect(r.runs.get(a.id).status).toBe('interrupted');
    expect(r.runs.get(b.id).status).toBe('succeeded');
  });

  it('never stores a NaN metric silently', () => {
    const r = repos();
    const p = r.projects.create('P');
    const run = r.runs.create({ projectId: p.id, name: 'a', config: {}, status: 'running' });
    // SQLite binds NaN as NULL; the NOT NULL column refuses it.
    expect(() => r.db.prepare(`INSERT INTO metrics (run_id, step, split, key, value) VALUES (?, 1, 'train', 'nc1', ?)`).run(run.id, NaN)).toThrow(/NOT NULL/);
  });
});
