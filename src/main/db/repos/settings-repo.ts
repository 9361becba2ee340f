import type { Db } from '../connection';

/** Saved settings, one JSON value per key; the caller validates what it reads. */
export function settingsRepo(db: Db) {
  const select = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');
  return {
    get: (key: string): unknown => {
      const row = select.get(key);
      return row ? JSON.parse(row.value) : undefined;
    },
    /** `undefined` forgets the key (back to the default). */
    set: (key: string, value: unknown): void => void (value === undefined ? remove.run(key) : upsert.run(key, JSON.stringify(value))),
  };
}

export type SettingsRepo = ReturnType<typeof settingsRepo>;
