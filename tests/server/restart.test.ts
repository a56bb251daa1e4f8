import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { kpis } from '../../protocol/kpi';
import { fold, snapshotOf } from '../../protocol/reducer';
import { SNAPSHOT_VERSION } from '../../protocol/snapshot';
import { rebuildState } from '../../server/app';
import type { Logger } from '../../server/ops/logger';
import { openEventStore } from '../../server/store/open-event-store';
import { wallCity, wallGridCentre } from '../browser/helpers/wall-city';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { lifecycle, reported, Screen, startTestServer } from './helpers/test-server';

const grids = [...gridsOf(DISTRICT_A), ...gridsOf(DISTRICT_B)];

/** n incidents, each reported and (every other one) registered. */
function batch(n: number) {
  return {
    events: Array.from({ length: n }, (_, i) => reported(grids[i % grids.length] as string)).flatMap((event, i) =>
      i % 2 === 0 && event.type === 'incident.reported' ? [event, lifecycle('incident.registered', event.incident.id)] : [event],
    ),
  };
}

describe('restart', () => {
  it('a restarted server rebuilds its live state from the checkpoint plus the log tail, and screens see it', async () => {
    const first = await startTestServer({ keepData: true });
    await first.post(batch(10));
    const { dataDir, geodata } = first;
    await first.close(); // graceful: writes a checkpoint

    const second = await startTestServer({ dataDir, geodata });
    try {
      const checkpoint = await second.store.loadCheckpoint();
      expect(checkpoint?.seq).toBe(15);
      await second.post(batch(6));
      const all = await second.store.readSeqRange(0);
      const expected = snapshotOf(fold(all), 'city');

      const screen = new Screen(second.url);
      await screen.connected();
      await screen.subscribe('city');
      await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');
      const got = screen.snapshots[0]?.state as typeof expected;
      expect(got.headSeq).toBe(all.length);
      expect(new Set(got.incidents.map((i) => i.id))).toEqual(new Set(expected.incidents.map((i) => i.id)));
      expect(got.areas.find((a) => a.code === 'city')?.open).toBe(expected.areas.find((a) => a.code === 'city')?.open);
      screen.close();
    } finally {
      await second.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a checkpoint of another state version (an upgrade) is set aside: the state comes from the whole log, and it says so calmly', async () => {
    const first = await startTestServer({ keepData: true });
    await first.post(batch(8));
    const { dataDir } = first;
    await first.close();
    // the same checkpoint, as an older version wrote it: its version byte differs, and so may its form
    const store = await openEventStore({ dataDir });
    const saved = (await store.loadCheckpoint())!;
    const old = Uint8Array.from(saved.state);
    old[0] = SNAPSHOT_VERSION - 1;
    await store.saveCheckpoint(saved.seq, old);
    const lines: Array<{ level: string; msg: string }> = [];
    const logger = { info: (_o: object, msg: string) => lines.push({ level: 'info', msg }), warn: (_o: object, msg: string) => lines.push({ level: 'warn', msg }) } as unknown as Logger;
    try {
      const rebuilt = await rebuildState(store, logger);
      const expected = fold(await store.readSeqRange(0));
      expect(rebuilt.state.headSeq).toBe(expected.headSeq);
      expect(snapshotOf(rebuilt.state, 'city')).toEqual(snapshotOf(expected, 'city'));
      expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
      expect(lines.map((l) => l.msg)).toContain('checkpoint written by another version of Gridwatch; replaying the whole log');
    } finally {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a rating of a closed case that RETAIN_ENDED_MAX dropped from memory still counts, its record coming back from the store', async () => {
    const city = wallCity();
    const env = { RETAIN_ENDED_MAX: '0' };
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const id = 'case-late-rating';
    const first = await startTestServer({ keepData: true, geodata: city, env });
    const lifecycleEvents: IncomingEvent[] = [
      { id: 'l1', type: 'incident.reported', at: iso(now - 10 * 60_000), crs: 'wgs84', incident: { id, location: wallGridCentre(city, '530102001001005'), category: 'env.noise', channel: 'other' } },
      { id: 'l2', type: 'incident.registered', incidentId: id, at: iso(now - 9 * 60_000) },
      { id: 'l3', type: 'incident.dispatched', incidentId: id, at: iso(now - 8 * 60_000), departments: ['530102001-urban-management'] },
      { id: 'l4', type: 'incident.started', incidentId: id, at: iso(now - 7 * 60_000) },
      { id: 'l5', type: 'incident.resolved', incidentId: id, at: iso(now - 6 * 60_000) },
      { id: 'l6', type: 'incident.verified', incidentId: id, at: iso(now - 5 * 60_000), passed: true },
      { id: 'l7', type: 'incident.closed', incidentId: id, at: iso(now - 4 * 60_000) },
    ];
    expect((await first.post({ events: lifecycleEvents })).status).toBe(200);
    const { dataDir } = first;
    await first.close();
    // The restart's rebuild evicts with a cap of 0: the closed case is in the store only.
    const second = await startTestServer({ dataDir, geodata: city, env });
    try {
      const screen = new Screen(second.url);
      await screen.connected();
      await screen.subscribe('city');
      await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');
      const snapshot = screen.snapshots[0]?.state as { incidents: Array<{ id: string }> };
      expect(snapshot.incidents.some((i) => i.id === id)).toBe(false);
      screen.close();

      const rated = await second.post({ events: [{ id: 'l8', type: 'incident.rated', incidentId: id, at: iso(now - 60_000), satisfaction: 5 }] });
      expect(rated.status).toBe(200);
      const all = await second.store.readSeqRange(0);
      const truth = kpis(fold(all), 'city', Date.now());
      const got = (await (await fetch(`${second.url}/api/v1/kpis?area=city`)).json()) as { satisfactionRate: number | null };
      expect(truth.satisfactionRate).not.toBeNull();
      expect(got.satisfactionRate).toBe(truth.satisfactionRate);
    } finally {
      await second.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
