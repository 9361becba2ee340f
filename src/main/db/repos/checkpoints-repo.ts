import { notFound } from '../../../shared/api/errors';
import type { Checkpoint } from '../../../shared/domain/types';
import type { Db } from '../connection';

interface Row {
  id: number;
  run_id: number;
  step: number;
  epoch: number | null;
  file: string;
  bytes: number;
  sha256: string;
  created_at: number;
}
const toCheckpoint = (r: Row): Checkpoint => ({
  id: r.id,
  runId: r.run_id,
  step: r.step,
  epoch: r.epoch,
  file: r.file,
  bytes: r.bytes,
  sha256: r.sha256,
  createdAt: r.created_at,
});

export function checkpointsRepo(db: Db) {
  return {
    add(c: Omit<Checkpoint, 'id' | 'createdAt'>, now = Date.now()): Checkpoint {
      const row = db
        .prepare<unknown[], Row>(
          `INSERT INTO checkpoints (run_id, step, epoch, file, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, step) DO UPDATE SET epoch = excluded.epoch, file = excluded.file, bytes = excluded.bytes, sha256 = excluded.sha256
        RETURNING *`,
        )
        .get(c.runId, c.step, c.epoch, c.file, c.bytes, c.sha256, now)!;
      return toCheckpoint(row);
    },
    list: (runId: number): Checkpoint[] =>
      db.prepare<[number], Row>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step').all(runId).map(toCheckpoint),
    get(id: number): Checkpoint {
      const r = db.prepare<[number], Row>('SELECT * FROM checkpoints WHERE id = ?').get(id);
      if (!r) throw notFound(`No checkpoint with id ${id}.`);
      return toCheckpoint(r);
    },
    latest: (runId: number): Checkpoint | undefined => {
      const r = db.prepare<[number], Row>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1').get(runId);
      return r && toCheckpoint(r);
    },
  };
}
export type CheckpointsRepo = ReturnType<typeof checkpointsRepo>;
