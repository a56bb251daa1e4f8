import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import type { StoredEvent } from '../../protocol/events';
import { decodeHistory } from '../../server/http/history-format';
import { DISTRICT_A, gridsOf } from './helpers/tiny-city';
import { lifecycle, reported, startTestServer, type TestServer } from './helpers/test-server';

const gridA = gridsOf(DISTRICT_A)[0] as string;

describe('the HTTP API', () => {
  let t: TestServer;
  let incidentId: string;
  beforeAll(async () => {
    t = await startTestServer();
    const report = reported(gridA);
    incidentId = report.type === 'incident.reported' ? report.incident.id : '';
    await t.post({ events: [report, lifecycle('incident.registered', incidentId)] });
  });
  afterAll(async () => {
    await t.close();
  });

  const getJson = async <T>(path: string, expected = 200): Promise<T> => {
    const res = await fetch(`${t.url}${path}`);
    expect(res.status).toBe(expected);
    return (await res.json()) as T;
  };

  it('health reports the store head, the relay and uptime', async () => {
    const health = await getJson<{ status: string; store: { ok: boolean; headSeq: number }; relay: { screens: number } }>('/api/v1/health');
    expect(health).toMatchObject({ status: 'ok', store: { ok: true, headSeq: 2 }, relay: { screens: 0 } });
  });

  it('metrics expose ingest results, store latency, screens, batch sizes and lag', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/gridwatch_ingest_events_total\{result="stored"\} 2/);
    for (const name of ['gridwatch_store_append_seconds_bucket', 'gridwatch_connected_screens', 'gridwatch_relay_batch_events_bucket', 'gridwatch_relay_lag_seconds_bucket']) {
      expect(text).toContain(name);
    }
  });

  it('the OpenAPI document covers every route', async () => {
    const doc = await getJson<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>('/api/v1/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ['/api/v1/events', '/api/v1/health', '/metrics', '/api/v1/city', '/geodata/{file}', '/api/v1/areas/{code}', '/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/kpis', '/api/v1/history', '/api/v1/login', '/api/v1/actions', '/api/v1/openapi.json']) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
    expect(JSON.stringify(doc.components.schemas.IncomingEvent)).toContain('incident.reported');
  });

  it('the city, its catalogues and package files are served, gzip and cacheable', async () => {
    const city = await getJson<{ meta: { id: string }; categories: Array<{ code: string }>; channels: Array<{ code: string }>; departments: unknown[]; files: { areas: string } }>('/api/v1/city');
    expect(city.meta.id).toBe('tiny');
    expect(city.categories.map((c) => c.code)).toContain('other');
    expect(city.channels.map((c) => c.code)).toContain('other');
    expect(city.departments.length).toBe(5);
    const res = await fetch(`${t.url}${city.files.areas}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.headers.get('cache-control')).toContain('max-age');
    const again = await fetch(`${t.url}${city.files.areas}`, { headers: { 'if-none-match': res.headers.get('etag') as string } });
    expect(again.status).toBe(304);
    const raw = await fetch(`${t.url}/geodata/areas.topo.json`, { headers: { 'accept-encoding': 'identity' } });
    expect(((await raw.json()) as { type: string }).type).toBe('Topology');
    // fetch decodes gzip itself; check the encoding with a raw request.
    const http = await import('node:http');
    const gz = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve) => {
      http.get(`${t.url}/geodata/areas.topo.json`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
    });
    expect(gz.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.body).toString()).type).toBe('Topology');
    await getJson('/geodata/secrets.txt', 404);
  });

  it('an area answers its parent chain, and a grid its staff', async () => {
    const grid = await getJson<{ level: string; chain: Array<{ code: string }>; staff: unknown[]; households: number }>(`/api/v1/areas/${gridA}`);
    expect(grid.level).toBe('grid');
    expect(grid.chain.map((a) => a.code)).toEqual([DISTRICT_A, `${DISTRICT_A}001`, `${DISTRICT_A}001001`]);
    expect(grid.staff).toHaveLength(1);
    const bad = await getJson<{ error: { fields: Array<{ field: string }> } }>('/api/v1/areas/12ab', 400);
    expect(bad.error.fields[0]?.field).toBe('code');
    await getJson('/api/v1/areas/999999', 404);
  });

  it('an incident answers its record and its timeline; open incidents and KPIs by area', async () => {
    const detail = await getJson<{ incident: { status: string; grid: string }; events: StoredEvent[] }>(`/api/v1/incidents/${incidentId}`);
    expect(detail.incident).toMatchObject({ status: 'registered', grid: gridA });
    expect(detail.events.map((e) => e.type)).toEqual(['incident.reported', 'incident.registered']);
    const open = await getJson<{ incidents: Array<{ id: string }> }>(`/api/v1/incidents?area=${DISTRICT_A}&status=open`);
    expect(open.incidents.map((i) => i.id)).toContain(incidentId);
    const kpis = await getJson<{ area: string; open: number; reportedToday: number }>(`/api/v1/kpis?area=${DISTRICT_A}`);
    expect(kpis).toMatchObject({ area: DISTRICT_A, open: 1, reportedToday: 1 });
    const badStatus = await getJson<{ error: { fields: Array<{ field: string }> } }>('/api/v1/incidents?status=closed', 400);
    expect(badStatus.error.fields[0]?.field).toBe('status');
    await getJson('/api/v1/incidents/no-such-incident', 404);
  });

  it('history answers events in a time range, paged, and names bad parameters', async () => {
    const now = Date.now();
    const page = await getJson<{ events: StoredEvent[]; nextAfterSeq: number | null }>(`/api/v1/history?from=${now - 60_000}&to=${new Date(now + 60_000).toISOString()}&limit=1`);
    expect(page.events).toHaveLength(1);
    expect(page.nextAfterSeq).toBe(1);
    const next = await getJson<{ events: StoredEvent[] }>(`/api/v1/history?from=${now - 60_000}&to=${now + 60_000}&afterSeq=1`);
    expect(next.events.map((e) => e.seq)).toEqual([2]);
    const bad = await getJson<{ error: { fields: Array<{ field: string }> } }>('/api/v1/history?from=yesterday&to=1', 400);
    expect(bad.error.fields.map((f) => f.field)).toContain('from');
    const backwards = await getJson<{ error: { fields: Array<{ field: string }> } }>('/api/v1/history?from=10&to=1', 400);
    expect(backwards.error.fields[0]?.field).toBe('from');
  });

  it('unknown routes answer JSON 404, and every answer carries an offline-safe CSP', async () => {
    const res = await fetch(`${t.url}/api/v1/nope?x=1`);
    expect(res.status).toBe(404);
    // the path as requested, not the part after the /api mount
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'not_found', message: 'No route for GET /api/v1/nope' });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).not.toMatch(/https?:\/\//);
  });

  it('a body over the limit is answered 413 in JSON, a non-JSON body 415, and nothing is stored', async () => {
    const head = await t.store.headSeq();
    const big = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ingestKey}` },
      body: JSON.stringify({ events: [reported(gridA)], pad: 'x'.repeat(1_100_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const text = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.ingestKey}` }, body: 'hello' });
    expect(text.status).toBe(415);
    expect(await t.store.headSeq()).toBe(head);
  });

  it('a retried event id answers the original ack and stores nothing', async () => {
    const event = reported(gridA);
    const first = await t.post({ events: [event] });
    const again = await t.post({ events: [event, event] });
    const original = first.json.acks[0];
    expect(original).toMatchObject({ status: 'stored', duplicate: false });
    const seq = original?.status === 'stored' ? original.seq : -1;
    expect(again.json.acks).toEqual([
      { index: 0, id: event.id, status: 'stored', seq, grid: gridA, duplicate: true },
      { index: 1, id: event.id, status: 'stored', seq, grid: gridA, duplicate: true },
    ]);
    expect(await t.store.headSeq()).toBe(seq);
  });

  it('an id repeated in a batch after its first event was rejected is judged on its own, as a retry in a later batch would be', async () => {
    const head = await t.store.headSeq();
    const outside = reported([0, 0]);
    const corrected = reported(gridA, { id: outside.id, incidentId: outside.type === 'incident.reported' ? outside.incident.id : '' });
    // the same refused event twice, then the same id corrected: the first two are refused with their own reason (never
    // as "duplicates" of an event that was not stored), and the corrected one is stored under that id
    const { status, json } = await t.post({ events: [outside, outside, corrected, corrected] });
    expect(status).toBe(200);
    expect(json.acks.map((a) => a.status)).toEqual(['rejected', 'rejected', 'stored', 'stored']);
    for (const i of [0, 1]) {
      const ack = json.acks[i];
      expect(ack?.status === 'rejected' ? ack.errors : []).toEqual([expect.objectContaining({ field: `events[${i}].incident.location`, code: 'outside_grids' })]);
    }
    expect(json.acks[2]).toMatchObject({ id: outside.id, seq: head + 1, grid: gridA, duplicate: false });
    expect(json.acks[3]).toEqual({ ...json.acks[2], index: 3, duplicate: true });
    expect(await t.store.headSeq()).toBe(head + 1);
  });

  it('an incident reported and registered in one batch is checked in order, and an illegal step is named', async () => {
    const report = reported(gridA);
    const id = report.type === 'incident.reported' ? report.incident.id : '';
    const { json } = await t.post({ events: [lifecycle('incident.registered', id), report, lifecycle('incident.registered', id), lifecycle('incident.closed', id)] });
    expect(json.acks.map((a) => a.status)).toEqual(['rejected', 'stored', 'stored', 'rejected']);
    const closed = json.acks[3];
    expect(closed?.status === 'rejected' ? closed.errors[0]?.field : '').toMatch(/^events\[3\]/);
  });

  it('history in the compact binary form decodes to exactly the JSON form', async () => {
    const range = `from=0&to=${Date.now() + 60_000}`;
    const json = await getJson<{ events: StoredEvent[] }>(`/api/v1/history?${range}`);
    const res = await fetch(`${t.url}/api/v1/history?${range}&format=arrow`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/vnd.apache.arrow.stream');
    expect(res.headers.get('x-next-after-seq')).toBe('');
    const binary = decodeHistory(new Uint8Array(await res.arrayBuffer()));
    expect(binary).toEqual(json.events);
    const negotiated = await fetch(`${t.url}/api/v1/history?${range}`, { headers: { accept: 'application/vnd.apache.arrow.stream' } });
    expect(negotiated.headers.get('content-type')).toContain('arrow');
    const bad = await getJson<{ error: { fields: Array<{ field: string }> } }>(`/api/v1/history?${range}&format=csv`, 400);
    expect(bad.error.fields[0]?.field).toBe('format');
  });

  it('departments are checked against the city, and a whistle summons only the next tier’s departments', async () => {
    const report = reported(gridA);
    const id = report.type === 'incident.reported' ? report.incident.id : '';
    const at = () => new Date().toISOString();
    const { json } = await t.post({
      events: [
        report,
        lifecycle('incident.registered', id),
        { id: `d-${id}`, type: 'incident.dispatched', at: at(), incidentId: id, departments: ['no-such-department'] },
        { id: `d2-${id}`, type: 'incident.dispatched', at: at(), incidentId: id, departments: [`${DISTRICT_A}001-urban-management`] },
        // A community whistle summons street departments; a district department is the wrong tier.
        { id: `w-${id}`, type: 'incident.whistled', at: at(), incidentId: id, whistleId: 'w1', tier: 'community', whistleType: 'routine', departments: [`${DISTRICT_A}-public-security`] },
        { id: `w2-${id}`, type: 'incident.whistled', at: at(), incidentId: id, whistleId: 'w1', tier: 'community', whistleType: 'routine', departments: [`${DISTRICT_A}001-urban-management`] },
        { id: `r-${id}`, type: 'department.reported', at: at(), incidentId: id, whistleId: 'w1', department: `${DISTRICT_A}001-urban-management`, stage: 'acknowledged' },
      ],
    });
    expect(json.acks.map((a) => a.status)).toEqual(['stored', 'stored', 'rejected', 'stored', 'rejected', 'stored', 'stored']);
    const fieldOf = (i: number) => {
      const ack = json.acks[i];
      return ack?.status === 'rejected' ? ack.errors[0] : undefined;
    };
    expect(fieldOf(2)).toMatchObject({ field: 'events[2].departments[0]', reason: expect.stringContaining('unknown department') });
    expect(fieldOf(4)).toMatchObject({ field: 'events[4].departments[0]', reason: expect.stringContaining('street-level') });
  });
});
