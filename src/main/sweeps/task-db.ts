import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { MetricRow } from '../../shared/jobs/messages';
import { databaseFile } from '../app/paths';
import { SCHEMA_VERSION } from '../db/migrations';

/** One finished run as a task's own database holds it. */
export interface TaskRun {
  run: {
    id: number;
    projectId: number;
    name: string;
    preset: string | null;
    config: Record<string, unknown>;
    status: string;
    seed: number | null;
    backend: string | null;
    versions: Record<string, string>;
    summary: Record<string, unknown>;
    error: string | null;
    startedAt: number | null;
    finishedAt: number | null;
  };
  checkpoints: { step: number; epoch: number | null; file: string; bytes: number; sha256: string }[];
  metrics: MetricRow[];
}

/** Run states after which a task's run no longer changes. */
export const FINAL_RUN_STATES = ['succeeded', 'diverged'];

/**
 * Reads a task's run read-only. This is the one SQL outside db/repos: the file belongs to another
 * Plateau process (on another node), so it is opened read-only and never migrated or locked for writing.
 * Returns a reason string instead when the result must not be merged yet.
 */
export function readTaskRun(dataDir: string, runId: number): TaskRun | string {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) return `no database at ${file}`;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
  } catch (err) {
    return `cannot open ${file}: ${(err as Error).message}`;
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION) return `its database has schema ${version}, this Plateau has ${SCHEMA_VERSION}`;
    const r = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as Record<string, unknown> | undefined;
    if (!r) return `its database has no run ${runId}`;
    if (!FINAL_RUN_STATES.includes(r.status as string)) return `its run is ${String(r.status)}, not finished`;
    const checkpoints = db
      .prepare('SELECT step, epoch, file, bytes, sha256 FROM checkpoints WHERE run_id = ? ORDER BY step')
      .all(runId) as TaskRun['checkpoints'];
    const rows = db
      .prepare(
        `SELECT m.step, m.epoch, m.split, m.key, m.layer, m.value, m.details, c.step AS ckpt
      FROM metrics m LEFT JOIN checkpoints c ON c.id = m.checkpoint_id WHERE m.run_id = ?`,
      )
      .all(runId) as {
      step: number;
      epoch: number | null;
      split: MetricRow['split'];
      key: string;
      layer: string;
      value: number;
      details: string | null;
      ckpt: number | null;
    }[];
    return {
      run: {
        id: runId,
        projectId: r.project_id as number,
        name: r.name as string,
        preset: r.preset as string | null,
        config: JSON.parse(r.config as string),
        status: r.status as string,
        seed: r.seed as number | null,
        backend: r.backend as string | null,
        versions: JSON.parse(r.versions as string),
        summary: JSON.parse(r.summary as string),
        error: r.error as string | null,
        startedAt: r.started_at as number | null,
        finishedAt: r.finished_at as number | null,
      },
      checkpoints,
      metrics: rows.map((m) => ({
        step: m.step,
        epoch: m.epoch,
        split: m.split,
        key: m.key,
        value: m.value,
        layer: m.layer,
        ...(m.ckpt !== null ? { checkpointStep: m.ckpt } : {}),
        ...(m.details ? { details: JSON.parse(m.details) } : {}),
      })),
    };
  } catch (err) {
    // SQLITE_BUSY: the task (or a straggler) still holds it; collect again later.
    return `its database cannot be read yet: ${(err as Error).message}`;
  } finally {
    db.close();
  }
}
