import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PlateauError } from '../../shared/api/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

/**
 * Opens (or creates) the database and brings it to the current schema.
 * A database from a newer Plateau is refused before anything is written to it.
 */
export function openDatabase(file: string, appVersion = 'this version'): Db {
  const fresh = !existsSync(file);
  if (fresh && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  if (!fresh && file !== ':memory:') refuseIfUnusable(file, appVersion);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Reads the version read-only, so a file we refuse stays byte-for-byte untouched. */
function refuseIfUnusable(file: string, appVersion: string): void {
  let version: number;
  try {
    const probe = new Database(file, { readonly: true, fileMustExist: true });
    try {
      version = probe.pragma('user_version', { simple: true }) as number;
    } finally {
      probe.close();
    }
  } catch (err) {
    throw new PlateauError(
      'Unavailable',
      `${file} is not a readable Plateau database (${(err as Error).message}). Move it aside or choose another data folder with --data-dir.`,
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new PlateauError(
      'Unavailable',
      `The database ${file} has schema version ${version}, written by a newer Plateau; ${appVersion} understands up to version ${SCHEMA_VERSION}. Update Plateau, or choose another data folder with --data-dir. The file was left untouched.`,
      { fileVersion: version, appVersion: SCHEMA_VERSION },
    );
  }
}

/** Applies the missing migrations in one transaction, so a failure leaves the old schema intact. */
export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current >= SCHEMA_VERSION) return current;
  db.transaction(() => {
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
  return SCHEMA_VERSION;
}
