/**
 * The two backends the store suite runs against. Each test gets a fresh, empty store location (a temp directory
 * for SQLite, a schema of its own for PostgreSQL) that is removed afterwards, so runs never interfere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../../server/store/event-store';
import { openEventStore } from '../../server/store/open-event-store';
import { dropSchema, openSchemaStore, probePostgres, uniqueSchema } from '../helpers/postgres';

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

function postgres(unavailable: string | undefined): Backend {
  return {
    name: 'postgres',
    unavailable,
    async newLocation() {
      const schema = uniqueSchema('store_test');
      return {
        open: () => openSchemaStore(schema),
        remove: () => dropSchema(schema),
      };
    },
  };
}

export async function backends(): Promise<Backend[]> {
  return [sqlite, postgres(await probePostgres())];
}
