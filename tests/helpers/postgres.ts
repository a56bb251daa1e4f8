/**
 * PostgreSQL set-up shared by the store, server and cluster tests and the benchmarks: the test database, whether it
 * answers, a schema name of one's own (so runs never interfere), a store opened in it, and dropping it afterwards.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventStore } from '../../server/store/event-store';
import { openEventStore } from '../../server/store/open-event-store';
import { withDefaultUser } from '../../server/store/postgres/connection';

/** PostgreSQL for the tests: TEST_DATABASE_URL, else the server every dev machine and CI runs. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** A schema name of its own for each call, even several in one millisecond: `<prefix>_<pid>_<8 random hex>`. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${randomUUID().slice(0, 8)}`;
}

/** Opens a store in `schema` (created and migrated on first open). */
export function openSchemaStore(schema: string, databaseUrl = TEST_DATABASE_URL): Promise<EventStore> {
  return openEventStore({ dataDir: '', databaseUrl, postgresSchema: schema });
}

/** Drops `schema` and everything in it, if it exists. */
export async function dropSchema(schema: string, databaseUrl = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: withDefaultUser(databaseUrl) });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers; the reason if it does not. */
export async function probePostgres(databaseUrl = TEST_DATABASE_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: withDefaultUser(databaseUrl), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${databaseUrl} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
