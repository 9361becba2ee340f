import { notFound } from '../../../shared/api/errors';
import type { Run, RunStatus } from '../../../shared/domain/types';
import type { Db } from '../connection';

interface Row {
  id: number;
  project_id: number;
  name: string;
  preset: string | null;
  config: string;
  status: RunStatus;
  seed: number | null;
  backend: string | null;
  versions: string;
  origin: string;
  error: string | null;
  summary: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  tags: string | null;
  notes: string;
}
const toRun = (r: Row): Run => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  preset: r.preset,
  config: JSON.parse(r.config),
  status: r.status,
  seed: r.seed,
  backend: r.backend,
  versions: JSON.parse(r.versions),
  origin: r.origin,
  tags: r.tags ? (JSON.parse(r.tags) as string[]).sort() : [],
  error: r.error,
  summary: JSON.parse(r.summary),
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  notes: r.notes,
});

const SELECT = `SELECT r.*, (SELECT json_group_array(tag) FROM run_tags t WHERE t.run_id = r.id) AS tags FROM runs r`;

export interface NewRun {
  projectId: number;
  name: string;
  preset?: string | null;
  config: Record<string, unknown>;
  status: RunStatus;
  seed?: number | null;
  backend?: string | null;
  versions?: Record<string, string>;
  origin?: string;
}

/** Fields a running job may update; JSON fields are replaced whole. */
export type RunPatch = Partial<
  Pick<Run, 'status' | 'backend' | 'versions' | 'error' | 'summary' | 'startedAt' | 'finishedAt' | 'name' | 'config' | 'notes'>
>;

export function runsRepo(db: Db) {
  const get = (id: number): Run => {
    const row = db.prepare<[number], Row>(`${SELECT} WHERE r.id = ?`).get(id);
    if (!row) throw notFound(`No run with id ${id}.`);
    return toRun(row);
  };
  return {
    get,
    list: (projectId: number): Run[] =>
      db.prepare<[number], Row>(`${SELECT} WHERE r.project_id = ? ORDER BY r.id DESC`).all(projectId).map(toRun),
    create(r: NewRun, now = Date.now()): Run {
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO runs (project_id, name, preset, config, status, seed, backend, versions, origin, created_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.projectId,
          r.name,
          r.preset ?? null,
          JSON.stringify(r.config),
          r.status,
          r.seed ?? null,
          r.backend ?? null,
          JSON.stringify(r.versions ?? {}),
          r.origin ?? 'local',
          now,
        );
      return get(Number(lastInsertRowid));
    },
    update(id: number, patch: RunPatch): Run {
      const cols: Record<string, unknown> = {
        status: patch.status,
        backend: patch.backend,
        error: patch.error,
        name: patch.name,
        versions: patch.versions && JSON.stringify(patch.versions),
        summary: patch.summary && JSON.stringify(patch.summary),
        config: patch.config && JSON.stringify(patch.config),
        started_at: patch.startedAt,
        finished_at: patch.finishedAt,
        notes: patch.notes,
      };
      const set = Object.entries(cols).filter(([, v]) => v !== undefined);
      if (set.length) {
        const info = db
          .prepare(`UPDATE runs SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`)
          .run(...set.map(([, v]) => v), id);
        if (info.changes === 0) throw notFound(`No run with id ${id}.`);
      }
      return get(id);
    },
    tag(id: number, add: string[], remove: string[]): Run {
      get(id);
      db.transaction(() => {
        const ins = db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)');
        const del = db.prepare('DELETE FROM run_tags WHERE run_id = ? AND tag = ?');
        for (const t of remove) del.run(id, t);
        for (const t of add) ins.run(id, t);
      })();
      return get(id);
    },
    remove(id: number): void {
      if (db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes === 0) throw notFound(`No run with id ${id}.`);
    },
    /** The run an external client created under `uid` (config.client.uid), if any. */
    findByClientUid: (uid: string): Run | undefined => {
      const row = db
        .prepare<[string], { id: number }>(`SELECT id FROM runs WHERE origin = 'client' AND json_extract(config, '$.client.uid') = ?`)
        .get(uid);
      return row ? get(row.id) : undefined;
    },
    /** Runs cut off by a crash or close: marked interrupted at start-up so they can be resumed. */
    markInterrupted: (): number =>
      db.prepare(`UPDATE runs SET status = 'interrupted' WHERE status IN ('running', 'queued', 'paused')`).run().changes,
  };
}
export type RunsRepo = ReturnType<typeof runsRepo>;
