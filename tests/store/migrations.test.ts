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
import { probePostgres, TEST_DATABASE_URL } from './backends';

describe('SQLite schema versions', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridwatch-migrate-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to open a database whose schema is newer than this build', async () => {
    await (await openEventStore({ dataDir })).close();
    const db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.pragma('user_version = 99');
    db.close();
    await expect(openEventStore({ dataDir })).rejects.toThrow(/schema version 99, newer than this build knows \(1\)/);
  });
});

const unreachable = await probePostgres();

describe.skipIf(unreachable !== undefined)(`PostgreSQL schema versions${unreachable ? ` (skipped: ${unreachable})` : ''}`, () => {
  const schema = `store_migrate_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
  const open = () => openEventStore({ dataDir: '', databaseUrl: TEST_DATABASE_URL, postgresSchema: schema });

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
