/**
 * A deterministic busy afternoon for the wall: incidents in every status across the grids, overdue cases, whistles
 * of every tier with departments pending, acknowledged and arrived. Times are relative to `now` and in the past, so
 * the events are legal to ingest and the overdue ones are overdue as soon as the wall loads.
 */
import type { IncomingEvent, WhistleTier } from '../../../protocol/events';
import type { CityGeodata } from '../../../server/geodata/types';

const MIN = 60_000;

/** A small seeded PRNG (mulberry32): the same scenario on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['env.litter', 'env.waste-overflow', 'env.noise', 'other'];
const PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'] as const;

export interface ScenarioOptions {
  now: number;
  incidents: number;
  seed?: number;
  /** prefix for event and incident ids, so several scenarios can share a store */
  prefix?: string;
}

function departmentsFor(city: CityGeodata, grid: string, tier: WhistleTier): string[] {
  const level = tier === 'community' ? 'street' : tier === 'street' ? 'district' : 'city';
  const matches = city.departments.filter((d) => d.level === level && (d.jurisdiction === 'city' || grid.startsWith(d.jurisdiction)));
  return matches.slice(0, 2).map((d) => d.code);
}

/** Builds the events of the scenario, in a legal order. */
export function busyAfternoon(city: CityGeodata, options: ScenarioOptions): IncomingEvent[] {
  const random = seeded(options.seed ?? 7);
  const prefix = options.prefix ?? 's';
  const events: IncomingEvent[] = [];
  let n = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const id = () => `${prefix}-e${++n}`;
  for (let i = 0; i < options.incidents; i++) {
    const grid = city.grids[Math.floor(random() * city.grids.length)]!;
    const [minX, minY, maxX, maxY] = grid.bbox;
    const location: [number, number] = [minX + (0.15 + 0.7 * random()) * (maxX - minX), minY + (0.15 + 0.7 * random()) * (maxY - minY)];
    const incidentId = `${prefix}-i${i}`;
    const start = options.now - (20 + random() * 200) * MIN;
    const stage = random();
    events.push({
      id: id(), type: 'incident.reported', at: iso(start), crs: 'wgs84',
      incident: { id: incidentId, location, category: CATEGORIES[i % CATEGORIES.length]!, channel: 'other', priority: PRIORITIES[i % PRIORITIES.length]! },
    });
    if (stage < 0.15) continue;
    events.push({ id: id(), type: 'incident.registered', incidentId, at: iso(start + 2 * MIN) });
    if (stage < 0.25) continue;
    const dispatchedAt = start + 4 * MIN;
    // every fourth dispatched case has a deadline already behind it: overdue on arrival
    const overdue = i % 4 === 0;
    const departments = departmentsFor(city, grid.code, 'community').slice(0, 1);
    events.push({
      id: id(), type: 'incident.dispatched', incidentId, at: iso(dispatchedAt), departments: departments.length ? departments : ['city-urban-management'],
      deadline: iso(overdue ? dispatchedAt + 10 * MIN : options.now + 6 * 60 * MIN),
    });
    if (i % 3 === 0) {
      const tier: WhistleTier = i % 9 === 0 ? 'district' : i % 6 === 0 ? 'street' : 'community';
      const summoned = departmentsFor(city, grid.code, tier);
      if (summoned.length > 0) {
        const whistleId = `${incidentId}-w1`;
        const whistledAt = dispatchedAt + 3 * MIN;
        events.push({ id: id(), type: 'incident.whistled', incidentId, at: iso(whistledAt), whistleId, tier, whistleType: i % 5 === 0 ? 'emergency' : i % 2 ? 'hard' : 'routine', departments: summoned });
        summoned.forEach((department, k) => {
          if (k === 0 || i % 2 === 0) events.push({ id: id(), type: 'department.reported', incidentId, at: iso(whistledAt + (4 + k) * MIN), whistleId, department, stage: 'acknowledged' });
        });
        // the first department arrives on every other whistle; the rest stay pending (flowing arcs)
        if (i % 2 === 0) events.push({ id: id(), type: 'department.reported', incidentId, at: iso(whistledAt + 8 * MIN), whistleId, department: summoned[0]!, stage: 'arrived' });
      }
    }
    if (stage < 0.55 || overdue) continue;
    events.push({ id: id(), type: 'incident.started', incidentId, at: iso(dispatchedAt + 12 * MIN) });
    if (stage < 0.7) continue;
    events.push({ id: id(), type: 'incident.resolved', incidentId, at: iso(dispatchedAt + 15 * MIN) });
    if (stage < 0.8) continue;
    events.push({ id: id(), type: 'incident.verified', incidentId, at: iso(dispatchedAt + 16 * MIN), passed: true });
    events.push({ id: id(), type: 'incident.closed', incidentId, at: iso(dispatchedAt + 17 * MIN) });
    events.push({ id: id(), type: 'incident.rated', incidentId, at: iso(dispatchedAt + 18 * MIN), satisfaction: 3 + Math.floor(random() * 3) });
  }
  return events;
}
