import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGridIndex } from '../../server/geodata/grid-index';
import { fromWgs84, toWgs84 } from '../../server/ingest/crs';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { TICKER_LENGTH } from '../../protocol/recent-changes';
import { changesUpTo, expectLatestChanges } from './helpers/recent-changes';
import { lifecycle, reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

describe('the relay delivers ingested events to screens', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a batch posted over HTTP reaches a subscribed screen with the right grid', async () => {
    const screen = new Screen(t.url);
    try {
      await screen.connected();
      const ack = await screen.subscribe('city');
      expect(ack).toMatchObject({ ok: true, data: { area: 'city', mode: 'snapshot' } });
      await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');

      const [gridA1, gridA2] = gridsOf(DISTRICT_A) as [string, string];
      const first = reported(gridA1);
      const second = reported(gridA2);
      const { status, json } = await t.post({ events: [first, second] });
      expect(status).toBe(200);
      expect(json.acks.map((a) => a.status)).toEqual(['stored', 'stored']);
      expect(json.acks.map((a) => (a.status === 'stored' ? a.grid : null))).toEqual([gridA1, gridA2]);

      await screen.until(() => screen.events.length >= 2, 15_000, 'two events');
      const received = screen.events;
      expect(received.map((e) => e.id)).toEqual([first.id, second.id]);
      expect(received.map((e) => e.grid)).toEqual([gridA1, gridA2]);
      // Batches chain without gaps from the snapshot position.
      let position = screen.snapshots[0]?.seq ?? 0;
      for (const batch of screen.batches) {
        expect(batch.fromSeq).toBe(position + 1);
        position = batch.toSeq;
      }
    } finally {
      screen.close();
    }
  });

  it('a GCJ-02 point near a grid border lands in the grid its WGS84 position is in', async () => {
    const index = createGridIndex(t.geodata.grids);
    // The shared border between two grids of district A runs at lon 102.71. GCJ-02 shifts Kunming points about
    // 0.0014° east, so a WGS84 point 0.0005° west of the border has GCJ-02 coordinates east of it.
    const gcj = fromWgs84([102.7095, 25.035], 'gcj02');
    const wgs = toWgs84(gcj, 'gcj02');
    const expectedGrid = index.locate(wgs[0], wgs[1]);
    const naiveGrid = index.locate(gcj[0], gcj[1]);
    expect(expectedGrid).not.toBeNull();
    expect(expectedGrid).not.toBe(naiveGrid); // the test would prove nothing if both landed in one grid

    const event = reported(gcj, { crs: 'gcj02' });
    const { json } = await t.post({ events: [event] });
    expect(json.acks[0]).toMatchObject({ status: 'stored', grid: expectedGrid });
    const stored = await t.store.getEvent(event.id);
    expect(stored?.grid).toBe(expectedGrid);
    const location = stored?.type === 'incident.reported' ? stored.incident.location : undefined;
    expect(location?.[0]).toBeCloseTo(wgs[0], 9);
    expect(location?.[1]).toBeCloseTo(wgs[1], 9);
  });

  it('a batch-level crs applies to events without their own, and BD-09 converts too', async () => {
    const index = createGridIndex(t.geodata.grids);
    const wgs: [number, number] = [102.7249, 25.0449];
    const bd = fromWgs84(wgs, 'bd09');
    const { json } = await t.post({ crs: 'bd09', events: [reported(bd)] });
    expect(json.acks[0]).toMatchObject({ status: 'stored', grid: index.locate(...toWgs84(bd, 'bd09')) });
  });

  it('events of a later lifecycle step take the grid of their incident', async () => {
    const grid = gridsOf(DISTRICT_B)[3] as string;
    const report = reported(grid);
    const incidentId = report.type === 'incident.reported' ? report.incident.id : '';
    const { json } = await t.post({ events: [report, lifecycle('incident.registered', incidentId)] });
    expect(json.acks[1]).toMatchObject({ status: 'stored', grid });
  });

  it("a snapshot opens with the area's latest changes, each event with the case as it left it", async () => {
    const reports = [...gridsOf(DISTRICT_A).slice(0, 15), ...gridsOf(DISTRICT_B).slice(0, 15)].map((grid) => reported(grid));
    await t.post({ events: reports });
    // half the cases move on: their report rows must still read as reported
    await t.post({ events: reports.filter((_, i) => i % 2 === 0).map((r) => lifecycle('incident.registered', r.type === 'incident.reported' ? r.incident.id : '')) });
    const log = await t.store.readSeqRange(0);
    for (const area of ['city', DISTRICT_A]) {
      const screen = new Screen(t.url);
      try {
        await screen.connected();
        await screen.subscribe(area);
        await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');
        const recent = screen.snapshots[0]!.recent!;
        const brute = changesUpTo(log, Number.POSITIVE_INFINITY, area);
        expect(brute.length).toBeGreaterThan(5);
        expect(expectLatestChanges(recent, log, Number.POSITIVE_INFINITY, area), area).toBe(Math.min(TICKER_LENGTH, brute.length));
        expect(recent.some((change) => change.event.type === 'incident.reported' && change.incident.status === 'reported')).toBe(true);
      } finally {
        screen.close();
      }
    }
  });

  it('a malformed subscribe is refused naming the field, and a subscribe storm is refused', async () => {
    const screen = new Screen(t.url);
    try {
      await screen.connected();
      const bad = await screen.socket.emitWithAck('subscribe', { area: '53010' } as never);
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid', field: 'area' } });
      const answers = [];
      for (let i = 0; i < 21; i++) answers.push(await screen.subscribe(DISTRICT_A));
      expect(answers.slice(0, 19).every((a) => a.ok)).toBe(true);
      expect(answers[20]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    } finally {
      screen.close();
    }
  });
});
