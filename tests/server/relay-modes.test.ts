import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const grids = [...gridsOf(DISTRICT_A), ...gridsOf(DISTRICT_B)];

describe.each(['batched', 'per-event'] as const)('relay mode %s', (mode) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ relayMode: mode });
  });
  afterAll(async () => {
    await t.close();
  });

  it('frames chain per screen, so a district screen sees no false gap', async () => {
    const city = new Screen(t.url);
    const district = new Screen(t.url);
    try {
      await Promise.all([city.connected(), district.connected()]);
      await city.subscribe('city');
      await district.subscribe(DISTRICT_B);
      await city.until(() => city.snapshots.length === 1, 15_000, 'snapshot');
      await district.until(() => district.snapshots.length === 1, 15_000, 'snapshot');
      for (let i = 0; i < 3; i++) await t.post({ events: grids.map((g) => reported(g)) });
      const head = await t.store.headSeq();
      await city.until(() => city.position >= head, 15_000, 'city screen');
      await district.until(() => district.events.length === 12, 15_000, 'district screen');
      for (const screen of [city, district]) {
        let position = screen.snapshots[0]?.seq ?? 0;
        for (const batch of screen.batches) {
          expect(batch.fromSeq).toBeLessThanOrEqual(position + 1); // no gap
          expect(batch.toSeq).toBeGreaterThan(position); // progress
          position = batch.toSeq;
        }
      }
      expect(city.events.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      if (mode === 'batched') expect(city.batches.length).toBeLessThan(head); // coalesced
      else expect(city.batches.length).toBe(head); // one frame per event
    } finally {
      city.close();
      district.close();
    }
  });
});
