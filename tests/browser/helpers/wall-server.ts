/**
 * Starts a real Gridwatch server (createServer, temp SQLite store, SIMULATE=0, a known ingest key) that also serves
 * the built client from dist/, for the wall's browser tests, the dev runner and the screenshots.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IncomingEvent, IngestResponse } from '../../../protocol/events';
import { createServer, type GridwatchServer } from '../../../server/app';
import { UserDirectory } from '../../../server/auth/users';
import { loadConfig } from '../../../server/config';
import type { CityGeodata } from '../../../server/geodata/types';
import { createLogger } from '../../../server/ops/logger';
import { openEventStore } from '../../../server/store/open-event-store';
import type { EventStore } from '../../../server/store/event-store';

export const WALL_INGEST_KEY = 'wall-test-ingest-key-0123456789';

/** A user to create in the server's directory before it starts (an officer for the desk's tests). */
export type WallUser = Parameters<UserDirectory['upsert']>[0];

export interface WallServer {
  url: string;
  /** the server's data dir (its store and user directory; removed by `close`) */
  dataDir: string;
  server: GridwatchServer;
  store: EventStore;
  geodata: CityGeodata;
  /** POSTs events in batches of ≤1000; throws with the server's reasons on any rejection. */
  ingest(events: IncomingEvent[]): Promise<IngestResponse>;
  close(): Promise<void>;
}

export async function startWallServer(geodata: CityGeodata, options: { port?: number; clientDir?: string; users?: WallUser[] } = {}): Promise<WallServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-wall-'));
  const config = loadConfig({ PORT: String(options.port ?? 0), DATA_DIR: dataDir, SIMULATE: '0', LOG_LEVEL: 'silent', INGEST_KEY: WALL_INGEST_KEY });
  if (options.users?.length) {
    const directory = UserDirectory.open(dataDir);
    for (const user of options.users) directory.upsert(user);
  }
  const store = await openEventStore({ dataDir });
  const server = createServer({ config, store, geodata, logger: createLogger('silent'), clientDir: options.clientDir ?? path.resolve('dist') });
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dataDir,
    server,
    store,
    geodata,
    async ingest(events) {
      const total: IngestResponse = { stored: 0, rejected: 0, acks: [] };
      for (let i = 0; i < events.length; i += 1000) {
        const res = await fetch(`${url}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${WALL_INGEST_KEY}` },
          body: JSON.stringify({ events: events.slice(i, i + 1000) }),
        });
        const body = (await res.json()) as IngestResponse;
        if (!res.ok || body.rejected > 0) {
          const reasons = JSON.stringify(body).slice(0, 800);
          throw new Error(`ingest refused (HTTP ${res.status}): ${reasons}`);
        }
        total.stored += body.stored;
        total.acks.push(...body.acks);
      }
      return total;
    },
    async close() {
      await server.close();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
