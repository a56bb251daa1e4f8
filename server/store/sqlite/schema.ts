/**
 * The SQLite schema, versioned with `PRAGMA user_version`: entry i of MIGRATIONS brings version i to i + 1, in one
 * transaction with the version bump, so a crash mid-migration leaves the previous version intact.
 */
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  // 1: the log, the current-incident projection, rollups and the checkpoint.
  `
  CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,            -- global, gap-free: assigned as head + 1 under the write lock
    id          TEXT    NOT NULL UNIQUE,        -- the event's own id: the idempotency key
    type        TEXT    NOT NULL,
    incident_id TEXT    NOT NULL,
    grid        TEXT    NOT NULL,               -- 15 digits; areas are prefix ranges on it
    at          INTEGER NOT NULL,               -- epoch ms of the event's at
    recorded_at INTEGER NOT NULL,               -- epoch ms when committed
    payload     TEXT    NOT NULL                -- the canonical event as JSON
  );
  CREATE INDEX events_by_incident ON events (incident_id, seq);
  CREATE INDEX events_by_grid_time ON events (grid, at);
  CREATE INDEX events_by_time ON events (at);

  CREATE TABLE incidents (
    id         TEXT    PRIMARY KEY,
    grid       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL
  ) WITHOUT ROWID;
  -- Only open incidents are ever listed by area, so the index leaves finished ones (most of them) out.
  CREATE INDEX incidents_open_by_grid ON incidents (grid) WHERE status NOT IN ('closed', 'cancelled');

  CREATE TABLE rollups (
    area  TEXT    NOT NULL,
    day   TEXT    NOT NULL,
    type  TEXT    NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (area, day, type)
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    slot     INTEGER PRIMARY KEY CHECK (slot = 1),   -- one row: only the newest checkpoint is kept
    seq      INTEGER NOT NULL,
    state    BLOB    NOT NULL,
    saved_at INTEGER NOT NULL
  );
  `,
];

/** Brings the database up to the newest schema version. Safe to call on every start, by several processes at once. */
export function migrate(db: Database.Database): void {
  for (;;) {
    // The version is read under the write lock, so a second process starting at the same time waits, then sees
    // the migration done and skips it.
    const done = db
      .transaction(() => {
        const current = db.pragma('user_version', { simple: true }) as number;
        if (current > MIGRATIONS.length) {
          throw new Error(`the event database has schema version ${current}, newer than this build knows (${MIGRATIONS.length})`);
        }
        if (current === MIGRATIONS.length) return true;
        db.exec(MIGRATIONS[current] ?? '');
        db.pragma(`user_version = ${current + 1}`);
        return false;
      })
      .immediate();
    if (done) return;
  }
}
