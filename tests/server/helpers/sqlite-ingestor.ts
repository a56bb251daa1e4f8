/** An Ingestor on a fresh SQLite store in a temporary folder, folding its commits into a live state of the test's. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createState, type CityState } from '../../../protocol/reducer';
import { createGridIndex } from '../../../server/geodata/grid-index';
import type { CityGeodata } from '../../../server/geodata/types';
import { Ingestor, type IngestorDeps } from '../../../server/ingest/ingestor';
import { createLogger } from '../../../server/ops/logger';
import { createMetrics } from '../../../server/ops/metrics';
import { SqliteEventStore } from '../../../server/store/sqlite/sqlite-event-store';

export interface SqliteIngestor {
  ingestor: Ingestor;
  store: SqliteEventStore;
  /** the live state `liveIncident` reads; `onCommitted` folds into it */
  state: CityState;
  /** closes the store and removes its folder */
  close(): Promise<void>;
}

/**
 * `onCommitted(state, events, restored)` is the test's live fold (server/app.ts's, or a simpler one). Wrap
 * `store.append` to count or interrupt commits: the ingestor calls it through the store object.
 */
export async function sqliteIngestor(
  city: CityGeodata,
  now: number,
  onCommitted: (state: CityState, ...args: Parameters<IngestorDeps['onCommitted']>) => void,
): Promise<SqliteIngestor> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-ingestor-'));
  const store = new SqliteEventStore({ path: path.join(dir, 'events.sqlite') });
  await store.init();
  const state = createState();
  const ingestor = new Ingestor({
    store,
    locator: createGridIndex(city.grids),
    departments: new Map(city.departments.map((d) => [d.code, d])),
    cityName: city.meta.name,
    liveIncident: (id: string) => state.incidents.get(id),
    onCommitted: (events, restored) => onCommitted(state, events, restored),
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => now,
  } as IngestorDeps);
  await ingestor.init();
  return {
    ingestor,
    store,
    state,
    close: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
