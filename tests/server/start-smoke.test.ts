/**
 * Starts the server the way `npm start` does (Kunming package, SQLite under DATA_DIR, backfill, simulator on) and
 * checks at socket level that incidents flow within seconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type ChildServer } from './helpers/child-server';
import { Screen } from './helpers/test-server';

describe('npm start', () => {
  let server: ChildServer | undefined;
  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  it('serves the Kunming city and shows incidents flowing on /live within seconds', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-smoke-'));
    // A fast live rate for a quick test, and a slow history pinned by BACKFILL_PER_DAY: by default the history would
    // follow the live rate (5/s is 432,000 incidents a day, at least ~2,000 in these 72 minutes at the quietest hour).
    server = await spawnServer({ DATA_DIR: dataDir, BACKFILL_DAYS: '0.05', SIMULATE_RATE: '5', BACKFILL_PER_DAY: '3000' });
    await server.waitFor(/backfill done/);
    expect(server.output()).toContain('3,000 incidents a day');
    const backfilled = Number(/backfill done: [\d,]+ events, ([\d,]+) incidents/.exec(server.output())?.[1]?.replaceAll(',', ''));
    expect(backfilled).toBeGreaterThan(0);
    expect(backfilled).toBeLessThan(1_000); // 3,000 a day × 0.05 days = 150, times the hour's intensity (0.09–1.94)
    expect(fs.existsSync(path.join(dataDir, 'credentials', 'ingest.key'))).toBe(true);

    const city = (await (await fetch(`${server.url}/api/v1/city`)).json()) as { meta: { id: string; counts: { grid: number } }; categories: Array<{ code: string }> };
    expect(city.meta.id).toBe('kunming');
    expect(city.meta.counts.grid).toBeGreaterThan(1000);
    expect(city.categories.some((c) => c.code === 'other')).toBe(true);
    const areas = await fetch(`${server.url}/geodata/areas.topo.json`, { headers: { 'accept-encoding': 'gzip' } });
    expect(areas.status).toBe(200);

    const screen = new Screen(server.url);
    try {
      await screen.connected();
      expect(await screen.subscribe('city')).toMatchObject({ ok: true, data: { mode: 'snapshot' } });
      await screen.until(() => screen.snapshots.length === 1, 10_000, 'snapshot');
      const snapshot = screen.snapshots[0]?.state as { incidents: unknown[] };
      expect(snapshot.incidents.length).toBeGreaterThan(0); // the backfill left open cases
      await screen.until(() => screen.events.length >= 3, 15_000, 'live events from the simulator');
      expect(screen.events.every((e) => /^\d{15}$/.test(e.grid))).toBe(true);
    } finally {
      screen.close();
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);
});

describe('a bad start', () => {
  it('a bad environment value stops the start with a message naming it', async () => {
    await expect(spawnServer({ PORT: 'eighty', DATA_DIR: '/tmp/gridwatch-never-used' }, 30_000)).rejects.toThrow(/exited with 2[\s\S]*PORT: must be a whole number/);
  }, 40_000);
});
