import { notFound } from '../../../shared/api/errors';
import type { Job, JobKind, JobState } from '../../../shared/domain/types';
import type { Db } from '../connection';

interface Row {
  id: number;
  kind: JobKind;
  project_id: number | null;
  run_id: number | null;
  state: JobState;
  params: string;
  progress: number;
  message: string;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}
const toJob = (r: Row): Job => ({
  id: r.id,
  kind: r.kind,
  projectId: r.project_id,
  runId: r.run_id,
  state: r.state,
  progress: r.progress,
  message: r.message,
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export function jobsRepo(db: Db) {
  const row = (id: number): Row => {
    const r = db.prepare<[number], Row>('SELECT * FROM jobs WHERE id = ?').get(id);
    if (!r) throw notFound(`No job with id ${id}.`);
    return r;
  };
  return {
    get: (id: number): Job => toJob(row(id)),
    params: (id: number): unknown => JSON.parse(row(id).params),
    list(filter: { projectId?: number; active?: boolean } = {}): Job[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.projectId !== undefined) {
        where.push('project_id = ?');
        args.push(filter.projectId);
      }
      if (filter.active) where.push(`state IN ('queued', 'running')`);
      const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT 500`;
      return db
        .prepare<unknown[], Row>(sql)
        .all(...args)
        .map(toJob);
    },
    create(j: { kind: JobKind; projectId: number | null; runId: number | null; params: unknown }, now = Date.now()): Job {
      const { lastInsertRowid } = db
        .prepare(`INSERT INTO jobs (kind, project_id, run_id, state, params, created_at) VALUES (?, ?, ?, 'queued', ?, ?)`)
        .run(j.kind, j.projectId, j.runId, JSON.stringify(j.params ?? {}), now);
      return toJob(row(Number(lastInsertRowid)));
    },
    setState(id: number, state: JobState, error: string | null = null, now = Date.now()): Job {
      const final = !['queued', 'running'].includes(state);
      db.prepare(
        `UPDATE jobs SET state = ?, error = ?,
                    started_at = CASE WHEN ? = 'running' THEN ? ELSE started_at END,
                    finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
                    progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END WHERE id = ?`,
      ).run(state, error, state, now, final ? 1 : 0, now, state, id);
      return toJob(row(id));
    },
    setProgress: (id: number, progress: number, message: string) =>
      db.prepare('UPDATE jobs SET progress = ?, message = ? WHERE id = ?').run(progress, message, id),
    /** Jobs that were running when the app died: interrupted (resumable), never silently lost. */
    markInterrupted: (): number => db.prepare(`UPDATE jobs SET state = 'interrupted' WHERE state IN ('running', 'queued')`).run().changes,
  };
}
export type JobsRepo = ReturnType<typeof jobsRepo>;
