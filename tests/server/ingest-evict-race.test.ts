/**
 * The live state evicts ended cases on a timer, and that timer can fire while a batch's append is in flight. A late
 * event of such a case (a rating days after closing) was validated against the live record, so the store was never
 * asked for it: the ingestor must still hand that record over with the commit, or the live state refuses an event
 * the store has acknowledged (it did, 215 times in a 16-day backfill, before the fix).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, evict, restoreEvicted, type IncidentRecord } from '../../protocol/reducer';
import { loadCity } from '../../server/geodata/load';
import type { CityGeodata } from '../../server/geodata/types';
import { pointsIn } from '../../bench/soak/server-process';
import { sqliteIngestor } from './helpers/sqlite-ingestor';

const HOUR = 3_600_000;
const now = Date.parse('2026-11-22T01:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
let city: CityGeodata;
let location: [number, number];
let department: string;

beforeAll(async () => {
  city = await loadCity(path.resolve('geodata', 'kunming'));
  location = pointsIn(city, 1)[0]!.location;
  department = city.departments[0]!.code;
});

async function makeIngest() {
  const refused: string[] = [];
  // as server/app.ts does: records of evicted cases first, then the events
  const t = await sqliteIngestor(city, now, (state, events, restored) => {
    for (const record of restored) restoreEvicted(state, record);
    for (const event of events) {
      const applied = applyEvent(state, event);
      if (!applied.ok) refused.push(`${event.id}: ${applied.field} ${applied.reason}`);
    }
  });
  /** runs once inside the next append, before it commits (the eviction timer firing meanwhile) */
  let duringAppend: (() => void) | undefined;
  const append = t.store.append.bind(t.store);
  t.store.append = async (events) => {
    const hook = duringAppend;
    duringAppend = undefined;
    hook?.();
    return append(events);
  };
  return { ...t, refused, onNextAppend: (hook: () => void) => (duringAppend = hook) };
}

/** A case closed three days before `now`: long past the live state's retention of ended cases. */
function closedCase(id: string): Record<string, unknown>[] {
  const t0 = now - 72 * HOUR;
  return [
    { id: `${id}-r`, type: 'incident.reported', at: iso(t0), incident: { id, location, category: 'env.litter', channel: 'grid-patrol' } },
    { id: `${id}-g`, type: 'incident.registered', incidentId: id, at: iso(t0 + 0.1 * HOUR) },
    { id: `${id}-d`, type: 'incident.dispatched', incidentId: id, at: iso(t0 + 0.2 * HOUR), departments: [department], deadline: iso(t0 + 8 * HOUR) },
    { id: `${id}-s`, type: 'incident.started', incidentId: id, at: iso(t0 + 1 * HOUR) },
    { id: `${id}-x`, type: 'incident.resolved', incidentId: id, at: iso(t0 + 2 * HOUR) },
    { id: `${id}-v`, type: 'incident.verified', incidentId: id, at: iso(t0 + 3 * HOUR), passed: true },
    { id: `${id}-c`, type: 'incident.closed', incidentId: id, at: iso(t0 + 4 * HOUR) },
  ];
}
const rating = (id: string, satisfaction: number) => ({ id: `${id}-rated`, type: 'incident.rated', incidentId: id, at: iso(now - HOUR), satisfaction });

describe('a late event of a case evicted while its batch commits', () => {
  it('folds into the live state: the record it was validated against comes back with the commit', async () => {
    const t = await makeIngest();
    const first = await t.ingestor.submit({ events: closedCase('race') });
    expect(first.rejected).toBe(0);
    expect(t.state.incidents.get('race')?.status).toBe('closed');

    // validated against the live record; the live state evicts the case before the append commits
    t.onNextAppend(() => {
      expect(evict(t.state, now)).toBe(1);
      expect(t.state.incidents.has('race')).toBe(false);
    });
    const late = await t.ingestor.submit({ events: [rating('race', 4)] });
    expect(late.stored).toBe(1);
    expect(t.refused).toEqual([]);
    expect(t.state.incidents.get('race')).toMatchObject({ status: 'closed', satisfaction: 4 });
    // and the store agrees
    expect(((await t.store.getIncident('race'))?.doc as IncidentRecord).satisfaction).toBe(4);
    await t.close();
  });

  it('still comes back from the store when it was evicted before the batch arrived', async () => {
    const t = await makeIngest();
    await t.ingestor.submit({ events: closedCase('before') });
    expect(evict(t.state, now)).toBe(1);
    const late = await t.ingestor.submit({ events: [rating('before', 2)] });
    expect(late.stored).toBe(1);
    expect(t.refused).toEqual([]);
    expect(t.state.incidents.get('before')?.satisfaction).toBe(2);
    await t.close();
  });
});
