/**
 * The two backends the store suite runs against. Each test gets a fresh, empty store location (a temp directory
 * for SQLite, a schema of its own for PostgreSQL) that is removed afterwards, so runs never interfere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { EventStore } from '../../server/store/event-store';
import { openEventStore } from '../../server/store/open-event-store';
import { withDefaultUser } from '../../server/store/postgres/connection';

/** PostgreSQL for the tests: TEST_DATABASE_URL, else the server every dev machine and CI runs. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** A place for one store: opening it twice gives two instances (two nodes) on the same data. */
export interface StoreLocation {
  open(): Promise<EventStore>;
  remove(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Why the backend cannot run here, or undefined when it can. */
  unavailable?: string;
  newLocation(): Promise<StoreLocation>;
}

const sqlite: Backend = {
  name: 'sqlite',
  async newLocation() {
    const dataDir = mkdtempSync(join(tmpdir(), 'gridwatch-store-'));
    return {
      open: () => openEventStore({ dataDir }),
      remove: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

let schemaCounter = 0;

function postgres(unavailable: string | undefined): Backend {
  return {
    name: 'postgres',
    unavailable,
    async newLocation() {
      const schema = `store_test_${process.pid}_${Date.now().toString(36)}_${schemaCounter++}`;
      return {
        open: () => openEventStore({ dataDir: '', databaseUrl: TEST_DATABASE_URL, postgresSchema: schema }),
        remove: async () => {
          const client = new pg.Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/** Whether PostgreSQL answers; the reason if it does not. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: withDefaultUser(TEST_DATABASE_URL), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function backends(): Promise<Backend[]> {
  return [sqlite, postgres(await probePostgres())];
}
