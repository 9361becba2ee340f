import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from './connection';
import { jobWrites, WriteQueue } from './write-queue';
import type { Db } from './connection';

let db: Db;
afterEach(() => db?.close());

/** A table of its own: what the queue commits, and in which order, is all the test reads. */
function setup() {
  db = openDatabase(':memory:');
  db.exec('CREATE TABLE log (i INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT');
  const put = (v: string) => () => void db.prepare('INSERT INTO log (v) VALUES (?)').run(v);
  const rows = () =>
    db
      .prepare<[], { v: string }>('SELECT v FROM log ORDER BY i')
      .all()
      .map((r) => r.v);
  return { put, rows };
}

describe('WriteQueue', () => {
  it('holds writes until the interval, then commits them in order in one transaction', async () => {
    const { put, rows } = setup();
    const q = new WriteQueue(db, 30);
    const commits: number[] = [];
    // a write made inside the batch's transaction sees db.inTransaction; each batch is one commit
    q.add(() => {
      put('a')();
      commits.push(db.inTransaction ? 1 : 0);
    });
    q.add(put('b'));
    q.add(put('c'), { after: () => commits.push(rows().length) });
    expect(rows()).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(rows()).toEqual(['a', 'b', 'c']);
    expect(commits).toEqual([1, 3]); // inside a transaction; `after` ran once all three were stored
  });

  it('keeps only the latest write of a key, in the place of the first', () => {
    const { put, rows } = setup();
    const q = new WriteQueue(db, 1000);
    q.add(put('p1'), { key: 'progress:1' });
    q.add(put('m'));
    q.add(put('p2'), { key: 'progress:1' });
    q.add(put('other'), { key: 'progress:2' });
    q.flush();
    expect(rows()).toEqual(['p2', 'm', 'other']);
  });

  it('a failing write fails only its owner: the rest of the batch is stored', () => {
    const { put, rows } = setup();
    const q = new WriteQueue(db, 1000);
    const errors: string[] = [];
    const after = vi.fn();
    q.add(put('a'));
    q.add(() => void db.prepare('INSERT INTO log (v) VALUES (NULL)').run(), { onError: (e) => errors.push((e as Error).message), after });
    q.add(put('b'));
    q.flush();
    expect(rows()).toEqual(['a', 'b']);
    expect(errors).toEqual(['NOT NULL constraint failed: log.v']);
    expect(after).not.toHaveBeenCalled();
  });

  it("jobWrites: settle() stores what is pending and throws the job's first failed write", () => {
    const { put, rows } = setup();
    const q = new WriteQueue(db, 1000);
    const stopped: unknown[] = [];
    const job = jobWrites(q, (e) => stopped.push(e));
    job.add(put('x'));
    job.settle();
    expect(rows()).toEqual(['x']);
    job.add(() => {
      throw new Error('the disk is full');
    });
    expect(() => job.settle()).toThrow('the disk is full');
    expect(stopped).toHaveLength(1);
  });
});
