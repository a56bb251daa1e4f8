/**
 * Schema versions: a store refuses a database written by a newer build (rather than misreading it), and records
 * each migration once however often it starts.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventStore, SQLITE_FILE_NAME } from '../../server/store/open-event-store';
import { withDefaultUser } from '../../server/store/postgres/connection';
import { MIGRATIONS } from '../../server/store/postgres/migrations';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../server/store/sqlite/schema';
import { openSchemaStore, probePostgres, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres';
import { GRIDS, lifecycle, reported } from './fixtures';

describe('SQLite schema versions', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridwatch-migrate-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to open a database whose schema is newer than this build', async () => {
    await (await openEventStore({ dataDir })).close();
    const db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.pragma('user_version = 99');
    db.close();
    await expect(openEventStore({ dataDir })).rejects.toThrow(/schema version 99, newer than this build knows \(2\)/);
  });
});

describe('SQLite schema 1 → 2', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridwatch-migrate-v1-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('upgrades a store written by schema 1: incidents keep their events and last seq, queries and appends go on', async () => {
    // A store as schema 1 wrote it: the log, and the projection with no seqs of its own.
    const db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.exec(SQLITE_MIGRATIONS[0] as string);
    db.pragma('user_version = 1');
    const rows = [reported('a', GRIDS.wuhuaA, 0), reported('b', GRIDS.panlong, 10), lifecycle('incident.registered', 'a', GRIDS.wuhuaA, 20, 'registered')];
    const insertEvent = db.prepare('INSERT INTO events (seq, id, type, incident_id, grid, at, recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const upsertIncident = db.prepare(
      'INSERT INTO incidents (id, grid, status, updated_at, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, doc = excluded.doc',
    );
    rows.forEach(({ event, grid, projection }, i) => {
      insertEvent.run(i + 1, event.id, event.type, projection.id, grid, Date.parse(event.at), Date.now(), JSON.stringify(event));
      upsertIncident.run(projection.id, grid, projection.status, projection.updatedAt, JSON.stringify(projection.doc));
    });
    db.close();

    const store = await openEventStore({ dataDir });
    try {
      expect((await store.incidentEvents('a')).map((e) => e.seq)).toEqual([1, 3]);
      expect(await store.getIncident('a')).toMatchObject({ status: 'registered', lastSeq: 3 });
      expect(await store.getIncident('b')).toMatchObject({ status: 'reported', lastSeq: 2 });
      expect((await store.openIncidents('530102')).map((row) => row.id)).toEqual(['a']);
      const all = { from: 0, to: Date.parse('2030-01-01T00:00:00Z') };
      expect((await store.readTimeRange({ ...all, area: GRIDS.panlong })).map((e) => e.seq)).toEqual([2]);
      const acks = await store.append([{ ...lifecycle('incident.started', 'a', GRIDS.wuhuaA, 30, 'started'), expectedLastSeq: 3 }]);
      expect(acks.map((ack) => ack.seq)).toEqual([4]);
      expect((await store.incidentEvents('a')).map((e) => e.seq)).toEqual([1, 3, 4]);
    } finally {
      await store.close();
    }
    const after = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    const indexes = (after.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    after.close();
    expect(indexes).toEqual(['events_by_time_grid', 'incidents_open_by_grid']);
  });
});

const unreachable = await probePostgres();

describe.skipIf(unreachable !== undefined)(`PostgreSQL schema versions${unreachable ? ` (skipped: ${unreachable})` : ''}`, () => {
  const schema = uniqueSchema('store_migrate');
  const admin = new pg.Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
  const open = () => openSchemaStore(schema);

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('records each migration once across restarts, and refuses a newer schema', async () => {
    await admin.connect();
    await (await open()).close();
    await (await open()).close();
    const applied = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(applied.rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await admin.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'from the future')`);
    await expect(open()).rejects.toThrow(/schema version 99, newer than this build knows/);
  });
});
