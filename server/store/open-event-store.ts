/**
 * Chooses and opens the event store: PostgreSQL when a database URL is configured (several relay nodes share it),
 * otherwise the embedded SQLite file under the data directory. The returned store is initialised (migrated).
 *
 * @example
 * ```ts
 * const store = await openEventStore({ dataDir: config.DATA_DIR, databaseUrl: config.DATABASE_URL });
 * try { await serve(store); } finally { await store.close(); }
 * ```
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from './event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/** The SQLite file's name inside DATA_DIR. */
export const SQLITE_FILE_NAME = 'events.sqlite';

export interface OpenEventStoreOptions {
  /** DATA_DIR: where the SQLite file lives (created if missing). Unused with PostgreSQL. */
  dataDir: string;
  /** DATABASE_URL, e.g. `postgres://user@host:5432/gridwatch`. When set, PostgreSQL is used. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to keep the tables in (default `public`); tests use a schema of their own. */
  postgresSchema?: string | undefined;
}

export async function openEventStore(options: OpenEventStoreOptions): Promise<EventStore> {
  let store: EventStore;
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    store = new PostgresEventStore({ connectionString: options.databaseUrl, schema: options.postgresSchema });
  } else {
    const file = join(options.dataDir, SQLITE_FILE_NAME);
    try {
      mkdirSync(options.dataDir, { recursive: true });
      // access(W_OK) reports a read-only file system (EROFS) even to root, where SQLite only says "unable to open".
      accessSync(options.dataDir, constants.W_OK);
      store = new SqliteEventStore({ path: file });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`DATA_DIR ${options.dataDir} must be a writable folder: cannot open the event store ${file} (${reason})`);
    }
  }
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
