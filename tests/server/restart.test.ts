import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fold, snapshotOf } from '../../protocol/reducer';
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
});
