import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/ops/logger';
import type { EventStore } from '../../server/store/event-store';
import { openEventStore } from '../../server/store/open-event-store';
import { DISTRICT_A, gridsOf, tinyCity } from './helpers/tiny-city';
import { lifecycle, reported, Screen } from './helpers/test-server';

const gridA = gridsOf(DISTRICT_A)[0] as string;

/** The real store, except that append fails while `failing` is set (a full disk, a lost database). */
function flakyStore(store: EventStore): { store: EventStore; setFailing(on: boolean): void } {
  let failing = false;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'append' && failing) return async () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, setFailing: (on) => (failing = on) };
}

describe('a store failure', () => {
  it('fails the whole batch with a 5xx JSON answer, leaves the state untouched, and the server recovers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-flaky-'));
    const real = await openEventStore({ dataDir });
    const flaky = flakyStore(real);
    const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', INGEST_KEY: 'flaky-ingest-key-0123456789' });
    const server = createServer({ config, store: flaky.store, geodata: tinyCity(), logger: createLogger('silent') });
    const { port } = await server.listen();
    const url = `http://127.0.0.1:${port}`;
    const post = async (body: unknown) => {
      const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.ingestKey}` }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as { stored?: number; error?: { code: string } } };
    };
    const screen = new Screen(url);
    try {
      await screen.connected();
      await screen.subscribe('city');
      await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');
      const report = reported(gridA);
      const incidentId = report.type === 'incident.reported' ? report.incident.id : '';

      flaky.setFailing(true);
      const failed = await post({ events: [report, lifecycle('incident.registered', incidentId)] });
      expect(failed.status).toBe(503);
      expect(failed.json.error?.code).toBe('store_unavailable');
      expect(await real.headSeq()).toBe(0);
      const kpis = (await (await fetch(`${url}/api/v1/kpis`)).json()) as { reportedToday: number; open: number };
      expect(kpis).toMatchObject({ reportedToday: 0, open: 0 });
      expect((await fetch(`${url}/api/v1/incidents/${incidentId}`)).status).toBe(404);

      flaky.setFailing(false);
      const retried = await post({ events: [report, lifecycle('incident.registered', incidentId)] });
      expect(retried).toMatchObject({ status: 200, json: { stored: 2 } });
      await screen.until(() => screen.events.length === 2, 15_000, 'the retried batch');
      expect(screen.events.map((e) => e.seq)).toEqual([1, 2]); // the failed attempt never reached a screen
    } finally {
      screen.close();
      await server.close();
      await real.close();
    }
  });
});
