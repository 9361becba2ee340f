/** Numbered migrations: index i brings the schema from version i to i + 1. Append only; never edit a landed one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    preset TEXT,
    config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    status TEXT NOT NULL CHECK (status IN ('queued','running','paused','succeeded','failed','cancelled','diverged','interrupted','imported')),
    seed INTEGER,
    backend TEXT,
    versions TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(versions)),
    origin TEXT NOT NULL DEFAULT 'local',
    error TEXT,
    summary TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX runs_by_project ON runs(project_id, id);

  CREATE TABLE run_tags (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (run_id, tag)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch REAL,
    file TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (run_id, step)
  ) STRICT;

  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE CASCADE,
    epoch REAL,
    split TEXT NOT NULL CHECK (split IN ('train','test','none')),
    key TEXT NOT NULL,
    layer TEXT NOT NULL DEFAULT '',
    value REAL NOT NULL,
    PRIMARY KEY (run_id, key, split, layer, step)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('train','metrics','import')),
    project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled','crashed','interrupted')),
    params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    error TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX jobs_by_state ON jobs(state);
  `,
  // 2: iterative metrics (Hessian spectra) record how they were computed: seed, iterations, convergence, densities.
  `
  ALTER TABLE metrics ADD COLUMN details TEXT CHECK (details IS NULL OR json_valid(details));
  `,
  // 3: settings the user saves in the app (jobs at once, threads per job), as JSON values.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
  ) STRICT;
  `,
  // 4: named evaluation sets (a language, a corpus) store their values under the set's name, beside train/test/none.
  `
  CREATE TABLE metrics_v4 (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE CASCADE,
    epoch REAL,
    split TEXT NOT NULL CHECK (length(split) BETWEEN 1 AND 64),
    key TEXT NOT NULL,
    layer TEXT NOT NULL DEFAULT '',
    value REAL NOT NULL,
    details TEXT CHECK (details IS NULL OR json_valid(details)),
    PRIMARY KEY (run_id, key, split, layer, step)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO metrics_v4 (run_id, step, checkpoint_id, epoch, split, key, layer, value, details)
    SELECT run_id, step, checkpoint_id, epoch, split, key, layer, value, details FROM metrics;
  DROP TABLE metrics;
  ALTER TABLE metrics_v4 RENAME TO metrics;
  `,
  // 5: a run's notes, written by the researcher (what was tried, what to check).
  `
  ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 20000);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
