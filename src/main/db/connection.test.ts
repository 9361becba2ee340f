import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './connection';
import { SCHEMA_VERSION } from './migrations';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const temp = () => (dir = mkdtempSync(join(tmpdir(), 'plateau-db-')));
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('openDatabase', () => {
  it('creates the schema with WAL, foreign keys and STRICT tables', () => {
    const file = join(temp(), 'p.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
      sql: string;
    }[];
    expect(tables.map((t) => t.name)).toEqual(['checkpoints', 'jobs', 'metrics', 'projects', 'run_tags', 'runs', 'settings']);
    for (const t of tables) expect(t.sql, t.name).toMatch(/\)\s*STRICT/);
    db.close();
  });

  it('matches the schema snapshot (a change here needs a new migration, not an edit)', () => {
    const db = openDatabase(join(temp(), 'p.db'));
    const schema = db.prepare(`SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name`).all();
    expect(schema).toMatchSnapshot();
    db.close();
  });

  it('reopens an existing database without re-running migrations', () => {
    const file = join(temp(), 'p.db');
    const db = openDatabase(file);
    db.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES ('kept', 1, 1)`).run();
    db.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'kept' }]);
    again.close();
  });

  it('refuses a database from a newer version, naming both versions, and leaves the file untouched', () => {
    const file = join(temp(), 'future.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future_things (x INTEGER)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    raw.close();
    const before = sha(file);
    expect(() => openDatabase(file, 'Plateau 0.1.0')).toThrow(
      `has schema version ${SCHEMA_VERSION + 7}, written by a newer Plateau; Plateau 0.1.0 understands up to version ${SCHEMA_VERSION}`,
    );
    expect(sha(file)).toBe(before);
  });

  it('refuses a file that is not a database, saying so, and leaves it untouched', () => {
    const file = join(temp(), 'junk.db');
    writeFileSync(file, 'this is not sqlite, just some text that is long enough to have a header '.repeat(20));
    const before = sha(file);
    expect(() => openDatabase(file)).toThrow(/is not a readable Plateau database/);
    expect(sha(file)).toBe(before);
  });

  it('rolls back a failing migration as a whole', async () => {
    const { migrate } = await import('./connection');
    const db = new Database(':memory:');
    db.exec('CREATE TABLE projects (id INTEGER)'); // collides with migration 1
    expect(() => migrate(db)).toThrow(/already exists/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'runs'`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migrations', () => {
  it('bring a version-1 database forward, keeping its rows', async () => {
    const { MIGRATIONS } = await import('./migrations');
    const file = join(temp(), 'v1.db');
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0]);
    v1.pragma('user_version = 1');
    v1.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES ('old', 1, 1)`).run();
    v1.prepare(`INSERT INTO runs (project_id, name, status, created_at) VALUES (1, 'r', 'succeeded', 1)`).run();
    v1.prepare(`INSERT INTO metrics (run_id, step, split, key, value) VALUES (1, 5, 'train', 'kappa', 0.25)`).run();
    v1.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT key, value, details FROM metrics').all()).toEqual([{ key: 'kappa', value: 0.25, details: null }]);
    expect(() => db.prepare(`UPDATE metrics SET details = 'not json'`).run()).toThrow(/CHECK/);
    // v4: a named evaluation set is a split; an empty name is still refused
    db.prepare(`INSERT INTO metrics (run_id, step, split, key, value) VALUES (1, 5, 'de', 'perplexity', 9.5)`).run();
    expect(() => db.prepare(`INSERT INTO metrics (run_id, step, split, key, value) VALUES (1, 6, '', 'loss', 1)`).run()).toThrow(/CHECK/);
    expect(db.prepare('SELECT split, key FROM metrics ORDER BY split').all()).toEqual([
      { split: 'de', key: 'perplexity' },
      { split: 'train', key: 'kappa' },
    ]);
    db.close();
  });
});
