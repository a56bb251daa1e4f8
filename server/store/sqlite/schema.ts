/**
 * The SQLite schema, versioned with `PRAGMA user_version`: entry i of MIGRATIONS brings version i to i + 1, in one
 * transaction with the version bump, so a crash mid-migration leaves the previous version intact.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: string[] = [
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
  // 2: fewer pages per append. Every page an append touches is written whole to the WAL (checksummed, fsynced) and
  // later copied back by a checkpoint: that, not the rows themselves, is what an append mostly costs.
  // - The projection becomes an ordinary rowid table with a unique index on `id`. WITHOUT ROWID keeps the whole row
  //   in the B-tree's interior pages too, so with rows of a few hundred bytes (the doc) the tree is narrow and deep
  //   and a random insert split and rewrote more than two pages on average (SQLite advises WITHOUT ROWID only for
  //   rows under about 1/20 of a page). Now a new incident is appended at the end of the table, and only the small
  //   id index takes a random page.
  // - An incident's events are listed from its projection row (`seqs`, which every append rewrites anyway), and its
  //   last seq is kept there (`last_seq`, for the compare-and-set), instead of an (incident_id, seq) index.
  // - One (at, grid) index, which grows at its end as time goes on, replaces (grid, at) and (at): a time range is
  //   one range scan, and an area within it is a test on the grid inside the index, without reading rows.
  `
  CREATE TABLE incidents_v2 (
    id         TEXT    NOT NULL UNIQUE,
    grid       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL,               -- seq of the incident's latest event
    seqs       TEXT    NOT NULL                -- seqs of all its events, ascending, comma-separated
  );
  INSERT INTO incidents_v2 (id, grid, status, updated_at, doc, last_seq, seqs)
    SELECT i.id, i.grid, i.status, i.updated_at, i.doc, coalesce(e.last_seq, 0), coalesce(e.seqs, '')
    FROM incidents i LEFT JOIN (
      SELECT incident_id, max(seq) AS last_seq, group_concat(seq, ',' ORDER BY seq) AS seqs FROM events GROUP BY incident_id
    ) e ON e.incident_id = i.id
    ORDER BY i.updated_at;
  DROP TABLE incidents;
  ALTER TABLE incidents_v2 RENAME TO incidents;
  CREATE INDEX incidents_open_by_grid ON incidents (grid) WHERE status NOT IN ('closed', 'cancelled');

  DROP INDEX events_by_incident;
  DROP INDEX events_by_grid_time;
  DROP INDEX events_by_time;
  CREATE INDEX events_by_time_grid ON events (at, grid);
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
