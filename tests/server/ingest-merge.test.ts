/**
 * Ingest merges batches that queue behind a commit into one store call. This proves the merge is invisible: the same
 * batches submitted all at once answer exactly what they answer one at a time (acks, errors, seqs, live state).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../protocol/reducer';
import type { IngestResponse } from '../../protocol/events';
import { createGridIndex } from '../../server/geodata/grid-index';
import { loadCity } from '../../server/geodata/load';
import type { CityGeodata } from '../../server/geodata/types';
import { sqliteIngestor } from './helpers/sqlite-ingestor';

const at = '2026-11-22T00:59:00Z';
let city: CityGeodata;
let points: Array<[number, number]>;

beforeAll(async () => {
  city = await loadCity(path.resolve('geodata', 'kunming'));
  const locator = createGridIndex(city.grids);
  points = [];
  for (const g of city.grids.slice(0, 50)) {
    const centre: [number, number] = [(g.bbox[0] + g.bbox[2]) / 2, (g.bbox[1] + g.bbox[3]) / 2];
    if (locator.locate(centre[0], centre[1])) points.push(centre);
  }
});

async function makeIngest() {
  const published: number[] = [];
  const t = await sqliteIngestor(city, Date.parse('2026-11-22T01:00:00Z'), (state, events) => {
    for (const event of events) {
      applyEvent(state, event);
      published.push(event.seq);
    }
  });
  let appendCalls = 0;
  const append = t.store.append.bind(t.store);
  t.store.append = (events) => {
    appendCalls++;
    return append(events);
  };
  return { ingestor: t.ingestor, state: t.state, published, appendCalls: () => appendCalls, close: t.close };
}

const reported = (id: string, incident: string, k: number) => ({
  id, type: 'incident.reported', at, incident: { id: incident, location: points[k % points.length], category: 'other', channel: 'other' },
});
const registered = (id: string, incident: string) => ({ id, type: 'incident.registered', at, incidentId: incident });

function batches(): Array<Record<string, unknown>> {
  return [
    { events: [reported('e1', 'i1', 1), reported('e2', 'i2', 2), reported('e1', 'i1', 1), { id: 'bad', type: 'nope' }] },
    { events: [registered('e3', 'i1'), registered('e4', 'i9'), reported('e5', 'i2', 3)] }, // i9 unknown yet; i2 twice
    { events: [registered('e6', 'i1'), reported('e7', 'i7', 4), { ...reported('x', 'q', 0), incident: { id: 'q', location: [0, 0], category: 'other', channel: 'other' } }] },
    { events: [reported('e1', 'i1', 1), registered('e8', 'i2')] }, // a retry of e1 from the first batch
    { crs: 'gcj02', events: [reported('e9', 'i9', 5), registered('e10', 'i9'), registered('e10', 'i9')] },
    { events: [registered('e11', 'i7'), registered('e3', 'i1')] },
  ];
}

describe('ingest batch merging', () => {
  it('answers queued batches exactly as it answers them one at a time, in fewer commits', async () => {
    const serial = await makeIngest();
    const oneByOne: IngestResponse[] = [];
    for (const batch of batches()) oneByOne.push(await serial.ingestor.submit(batch));

    const merged = await makeIngest();
    const together = await Promise.all(batches().map((batch) => merged.ingestor.submit(batch)));

    expect(together).toEqual(oneByOne);
    expect(merged.published).toEqual(serial.published);
    expect([...merged.state.incidents.values()]).toEqual([...serial.state.incidents.values()]);
    // Something was both stored and refused, so the comparison above is not vacuous.
    expect(oneByOne.some((r) => r.stored > 0) && oneByOne.some((r) => r.rejected > 0)).toBe(true);
    expect(merged.appendCalls()).toBeLessThan(serial.appendCalls());
    await serial.close();
    await merged.close();
  });
});
