import { conflict, notFound } from '../../../shared/api/errors';
import type { Project } from '../../../shared/domain/types';
import type { Db } from '../connection';

interface Row {
  id: number;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
  run_count: number;
}
const toProject = (r: Row): Project => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  runCount: r.run_count,
});

const SELECT = `SELECT p.*, (SELECT count(*) FROM runs r WHERE r.project_id = p.id) AS run_count FROM projects p`;

export function projectsRepo(db: Db) {
  const byName = db.prepare<[string], { id: number }>('SELECT id FROM projects WHERE name = ?');
  const get = (id: number): Project => {
    const row = db.prepare<[number], Row>(`${SELECT} WHERE p.id = ?`).get(id);
    if (!row) throw notFound(`No project with id ${id}.`);
    return toProject(row);
  };
  const assertFree = (name: string, except?: number) => {
    const other = byName.get(name);
    if (other && other.id !== except) throw conflict(`A project named '${name}' already exists. Choose another name.`);
  };
  return {
    get,
    list: (): Project[] => db.prepare<[], Row>(`${SELECT} ORDER BY p.updated_at DESC, p.id DESC`).all().map(toProject),
    findByName: (name: string): Project | undefined => {
      const row = byName.get(name);
      return row ? get(row.id) : undefined;
    },
    create(name: string, description = '', now = Date.now()): Project {
      assertFree(name);
      const { lastInsertRowid } = db
        .prepare('INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)')
        .run(name, description, now, now);
      return get(Number(lastInsertRowid));
    },
    rename(id: number, name: string, now = Date.now()): Project {
      get(id);
      assertFree(name, id);
      db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, now, id);
      return get(id);
    },
    touch: (id: number, now = Date.now()) => db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, id),
    remove(id: number): { removed: number; runs: number } {
      const p = get(id);
      db.prepare('DELETE FROM projects WHERE id = ?').run(id);
      return { removed: id, runs: p.runCount };
    },
  };
}
export type ProjectsRepo = ReturnType<typeof projectsRepo>;
