import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IncomingEvent, StoredEvent } from '../../protocol/events';
import { HistoryDecoder, HISTORY_COLUMNS_TYPE, chunkEvents, type HistoryChunk } from '../../protocol/history-codec';
import type { HistoryAggregate } from '../../server/http/history-routes';
import { UserDirectory } from '../../server/auth/users';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { lifecycle, reported, startTestServer, type TestServer } from './helpers/test-server';

const gridA = gridsOf(DISTRICT_A)[0] as string;
const gridB = gridsOf(DISTRICT_B)[0] as string;
const MINUTE = 60_000;

/** Reads a columns stream piece by piece, as playback does. */
async function readColumns(res: Response): Promise<{ chunks: HistoryChunk[]; events: StoredEvent[]; decoder: HistoryDecoder }> {
  const decoder = new HistoryDecoder();
  const chunks: HistoryChunk[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(...decoder.push(value));
  }
  decoder.end();
  return { chunks, events: chunks.flatMap((c) => chunkEvents(c, decoder.tables)), decoder };
}

describe('the history API', () => {
  let t: TestServer;
  let screenTokenA: string;
  const start = Date.now() - 60 * MINUTE;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-history-'));
    screenTokenA = UserDirectory.open(dataDir).upsert({ name: 'wall-a', role: 'screen', scope: [DISTRICT_A] }).token as string;
    t = await startTestServer({ dataDir });
    // 30 incidents, one every two minutes, alternating districts; every third is registered and cancelled.
    const events: IncomingEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const at = new Date(start + i * 2 * MINUTE).toISOString();
      const report = reported(i % 2 === 0 ? gridA : gridB, { at });
      events.push(report);
      if (i % 3 === 0 && report.type === 'incident.reported') {
        events.push({ ...lifecycle('incident.registered', report.incident.id), at });
        events.push({ id: `ev-cancel-${i}`, type: 'incident.cancelled', incidentId: report.incident.id, reason: 'duplicate report', at: new Date(start + i * 2 * MINUTE + MINUTE).toISOString() });
      }
    }
    const { status, json } = await t.post({ events });
    expect(status).toBe(200);
    expect(json.rejected).toBe(0);
  });
  afterAll(async () => {
    await t.close();
  });

  const range = () => `from=${start - MINUTE}&to=${Date.now() + MINUTE}`;

  it('the columns stream decodes to exactly the events of the JSON form, strings sent once', async () => {
    const json = (await (await fetch(`${t.url}/api/v1/history?${range()}&limit=50000`)).json()) as { events: StoredEvent[] };
    expect(json.events.length).toBe(50);
    const res = await fetch(`${t.url}/api/v1/history?${range()}&format=columns`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(HISTORY_COLUMNS_TYPE);
    const { events, decoder } = await readColumns(res);
    expect(events).toEqual(json.events);
    expect(decoder.tables.incidents.length).toBe(30);
    expect(new Set(decoder.tables.grids)).toEqual(new Set([gridA, gridB]));
    const negotiated = await fetch(`${t.url}/api/v1/history?${range()}`, { headers: { accept: HISTORY_COLUMNS_TYPE } });
    expect((await readColumns(negotiated)).events).toEqual(json.events);
  });

  it('the columns stream is scoped to an area and resumes after a seq', async () => {
    const { events } = await readColumns(await fetch(`${t.url}/api/v1/history?${range()}&area=${DISTRICT_A}&format=columns`));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.grid.startsWith(DISTRICT_A))).toBe(true);
    const tail = await readColumns(await fetch(`${t.url}/api/v1/history?${range()}&format=columns&afterSeq=40`));
    expect(tail.events.map((e) => e.seq)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
  });

  it('the aggregate counts events per time bucket and cases per grid', async () => {
    const bucket = 10 * MINUTE;
    const res = await fetch(`${t.url}/api/v1/history/aggregate?from=${start}&to=${start + 60 * MINUTE - 1}&bucket=${bucket}`);
    expect(res.status).toBe(200);
    const aggregate = (await res.json()) as HistoryAggregate;
    expect(aggregate.bucketMs).toBe(bucket);
    expect(aggregate.reported).toEqual([5, 5, 5, 5, 5, 5]);
    expect(aggregate.events.reduce((a, b) => a + b, 0)).toBe(50);
    expect(aggregate.total).toBe(50);
    expect(aggregate.grids[gridA]).toMatchObject({ reported: 15, cancelled: 5 });
    expect(aggregate.grids[gridB]).toMatchObject({ reported: 15, cancelled: 5 });
  });

  it('refuses bad parameters naming the field, with a stable code and the values it names', async () => {
    type Refused = { error: { fields: Array<{ field: string; code?: string; params?: Record<string, string> }> } };
    const refused = async (query: string) => {
      const res = await fetch(`${t.url}/api/v1/${query}`);
      expect(res.status, query).toBe(400);
      return ((await res.json()) as Refused).error.fields[0];
    };
    const now = Date.now();
    expect(await refused(`history/aggregate?from=0&to=${now}&bucket=1000`)).toMatchObject({ field: 'bucket', code: 'too_many', params: { maximum: '10000' } });
    expect(await refused(`history?${range()}&format=csv`)).toMatchObject({ field: 'format', code: 'not_one_of' });
    expect(await refused(`history?${range()}&limit=60000`)).toMatchObject({ field: 'limit', code: 'too_large' });
    expect(await refused(`history?from=${now}&to=${now - 1}`)).toMatchObject({ field: 'from', code: 'not_after', params: { other: 'to' } });
    expect(await refused(`history?from=yesterday&to=${now}`)).toMatchObject({ field: 'from', code: 'bad_format' });
    expect(await refused(`history?${range()}&format=columns&carry=1&limit=5`)).toMatchObject({ field: 'carry', code: 'exclusive_with' });
    expect(await refused(`history?${range()}&carry=1`)).toMatchObject({ field: 'carry', code: 'needs_other', params: { other: 'format=columns' } });
  });

  it('a district screen reads history and aggregates of its district only', async () => {
    const get = (p: string) => fetch(`${t.url}${p}`, { headers: { authorization: `Bearer ${screenTokenA}` } });
    expect((await get(`/api/v1/history?${range()}&area=${DISTRICT_B}&format=columns`)).status).toBe(403);
    expect((await get(`/api/v1/history/aggregate?${range()}&area=${DISTRICT_B}`)).status).toBe(403);
    expect((await get(`/api/v1/history/aggregate?${range()}`)).status).toBe(403);
    const own = await get(`/api/v1/history/aggregate?${range()}&area=${DISTRICT_A}`);
    expect(Object.keys(((await own.json()) as HistoryAggregate).grids)).toEqual([gridA]);
  });
});
