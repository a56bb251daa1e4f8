/**
 * Versioned PostgreSQL migrations, applied at start. Several nodes may start at once, so the runner takes a
 * transaction-scoped advisory lock per schema; each missing version runs with its `schema_migrations` row in one
 * transaction, so a crash mid-migration leaves the previous version intact and the next start retries it.
 */
import type { PoolClient } from 'pg';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'event log, head counter, incident projection, rollups, checkpoint',
    sql: `
    -- The head of the log, one row. Writers lock it FOR UPDATE for their whole transaction, so seqs are handed out
    -- in commit order and a rollback gives its seqs back: the log stays gap-free across nodes.
    CREATE TABLE event_head (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      seq       bigint  NOT NULL
    );
    INSERT INTO event_head (singleton, seq) VALUES (true, 0);

    CREATE TABLE events (
      seq         bigint PRIMARY KEY,
      id          text   NOT NULL UNIQUE,
      type        text   NOT NULL,
      incident_id text   NOT NULL,
      grid        text   COLLATE "C" NOT NULL,   -- byte order, so area prefixes are index ranges
      at          bigint NOT NULL,
      recorded_at bigint NOT NULL,
      payload     json   NOT NULL                -- json, not jsonb: stored and returned as written, no re-encoding
    );
    CREATE INDEX events_by_incident ON events (incident_id, seq);
    CREATE INDEX events_by_grid_time ON events (grid, at);
    CREATE INDEX events_by_time ON events (at);

    CREATE TABLE incidents (
      id         text   PRIMARY KEY,
      grid       text   COLLATE "C" NOT NULL,
      status     text   NOT NULL,
      updated_at bigint NOT NULL,
      doc        jsonb  NOT NULL
    );
    CREATE INDEX incidents_open_by_grid ON incidents (grid) WHERE status NOT IN ('closed', 'cancelled');

    CREATE TABLE rollups (
      area  text   COLLATE "C" NOT NULL,
      day   text   NOT NULL,
      type  text   NOT NULL,
      count bigint NOT NULL,
      PRIMARY KEY (area, day, type)
    );

    CREATE TABLE checkpoints (
      slot     smallint PRIMARY KEY CHECK (slot = 1),
      seq      bigint   NOT NULL,
      state    bytea    NOT NULL,
      saved_at bigint   NOT NULL
    );
    `,
  },
];

/** Quotes a schema name after checking it is a plain identifier. */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)} must be lower-case letters, digits and _ (at most 63)`);
  }
  return `"${schema}"`;
}

/** Creates the schema if needed and applies every migration not yet recorded in `schema_migrations`. */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  const quoted = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gridwatch.migrations.${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
    const known = new Set(applied.rows.map((row) => row.version));
    const newest = Math.max(0, ...known);
    if (newest > MIGRATIONS.length) {
      throw new Error(`the event database has schema version ${newest}, newer than this build knows (${MIGRATIONS.length})`);
    }
    for (const migration of MIGRATIONS) {
      if (known.has(migration.version)) continue;
      await client.query(`SET LOCAL search_path TO ${quoted}`);
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
