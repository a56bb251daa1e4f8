/**
 * Dev runner for the wall: a real Gridwatch server (createServer) on a small synthetic city, pre-filled with a busy
 * afternoon and fed a trickle of new events, serving the built client from dist/. For working on the wall before
 * (or without) the Kunming package and the simulator:
 *
 *   npx vite build && npx tsx client/dev/serve-wall.ts        # then open http://127.0.0.1:8090/
 *
 * PORT (default 8090), INCIDENTS (default 160), TRICKLE_MS (default 2000; 0 = none).
 */
import { busyAfternoon, seeded } from '../../tests/browser/helpers/scenario';
import { wallCity } from '../../tests/browser/helpers/wall-city';
import { startWallServer } from '../../tests/browser/helpers/wall-server';
import type { IncomingEvent, WhistleTier } from '../../protocol/events';

const port = Number(process.env.PORT ?? 8090);
const incidents = Number(process.env.INCIDENTS ?? 160);
const trickleMs = Number(process.env.TRICKLE_MS ?? 2000);

const city = wallCity();
const wall = await startWallServer(city, { port });
await wall.ingest(busyAfternoon(city, { now: Date.now(), incidents }));
console.log(`[serve-wall] ${city.meta.name}: ${city.grids.length} grids, ${incidents} incidents → ${wall.url}/`);

if (trickleMs > 0) {
  const random = seeded(99);
  let n = 0;
  setInterval(() => {
    const grid = city.grids[Math.floor(random() * city.grids.length)]!;
    const [minX, minY, maxX, maxY] = grid.bbox;
    const at = new Date().toISOString();
    const incidentId = `live-${++n}`;
    const events: IncomingEvent[] = [
      {
        id: `live-e${n}`, type: 'incident.reported', at, crs: 'wgs84',
        incident: { id: incidentId, location: [minX + random() * (maxX - minX), minY + random() * (maxY - minY)], category: 'env.litter', channel: 'other', priority: n % 7 === 0 ? 'urgent' : 'normal' },
      },
    ];
    if (n % 5 === 0) {
      const tier: WhistleTier = n % 15 === 0 ? 'street' : 'community';
      const level = tier === 'community' ? 'street' : 'district';
      const departments = city.departments.filter((d) => d.level === level && grid.code.startsWith(d.jurisdiction)).map((d) => d.code);
      if (departments.length > 0) {
        events.push(
          { id: `live-e${n}r`, type: 'incident.registered', incidentId, at },
          { id: `live-e${n}d`, type: 'incident.dispatched', incidentId, at, departments: departments.slice(0, 1) },
          { id: `live-e${n}w`, type: 'incident.whistled', incidentId, at, whistleId: `live-w${n}`, tier, whistleType: n % 10 === 0 ? 'emergency' : 'routine', departments },
        );
      }
    }
    wall.ingest(events).catch((error: unknown) => console.error(`[serve-wall] ${(error as Error).message}`));
  }, trickleMs);
}

const stop = () => void wall.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
