/**
 * The OpenAPI document agrees with the server: real requests to a real server, good and bad, and every answer's
 * status must be documented for its route and its JSON body must validate against the documented schema (ajv,
 * JSON Schema 2020-12, which OpenAPI 3.1 uses). An answer the document does not describe fails the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../../server/auth/users';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { INGEST_KEY, lifecycle, reported, startTestServer, type TestServer } from './helpers/test-server';

type Json = Record<string, any>;

/** The document's id for ajv, so that response schemas' `#/components/…` refs resolve against it. */
const DOC_ID = 'https://gridwatch.invalid/openapi.json';

const incidentIdOf = (event: ReturnType<typeof reported>) => (event.type === 'incident.reported' ? event.incident.id : '');

describe('the OpenAPI document against the server', () => {
  let t: TestServer;
  let doc: Json;
  let ajv: Ajv2020;
  let cookie = '';
  let caseA = '';
  let caseB = '';
  const validators = new Map<string, ValidateFunction>();
  /** method + documented path + status, for every answer checked */
  const seen = new Set<string>();

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-openapi-'));
    UserDirectory.open(dataDir).upsert({ name: 'desk-a', role: 'officer', scope: [DISTRICT_A], password: 'desk officer pw' });
    t = await startTestServer({ dataDir });
    const a = reported(gridsOf(DISTRICT_A)[1]!);
    const b = reported(gridsOf(DISTRICT_B)[1]!);
    caseA = incidentIdOf(a);
    caseB = incidentIdOf(b);
    await t.post({ events: [a, b, lifecycle('incident.registered', caseA)] });
    doc = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true, formats: { binary: true } });
    addFormats.default(ajv);
    // The whole document under one id, so `#/components/schemas/…` refs resolve as they do in the document.
    ajv.addSchema({ $id: DOC_ID, components: doc.components } as Json);
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'desk-a', password: 'desk officer pw' }) });
    await conform('POST', '/api/v1/login', login);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  });
  afterAll(async () => {
    await t.close();
  });

  /** The documented path template a concrete path falls under. */
  function templateOf(pathname: string): string | undefined {
    return Object.keys(doc.paths as Json).find((template) => {
      const pattern = `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+')}$`;
      return new RegExp(pattern).test(pathname);
    });
  }

  /** Checks one answer against the document: route, method and status documented; a JSON body valid. */
  async function conform(method: string, url: string, res: Response): Promise<Json | undefined> {
    const pathname = new URL(url, 'http://x').pathname;
    const template = templateOf(pathname);
    expect(template, `${method} ${pathname} is documented`).toBeDefined();
    const operation = (doc.paths as Json)[template as string][method.toLowerCase()] as Json | undefined;
    expect(operation, `${method} ${template} is documented`).toBeDefined();
    const response = (operation?.responses as Json)[String(res.status)] as Json | undefined;
    expect(response, `${method} ${template} documents status ${res.status}`).toBeDefined();
    seen.add(`${method} ${template} ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('application/json')) return undefined;
    const body = (await res.json()) as Json;
    const schema = response?.content?.['application/json']?.schema as Json | undefined;
    expect(schema, `${method} ${template} ${res.status} documents a JSON body`).toBeDefined();
    const key = `${method} ${template} ${res.status}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile({ $id: `${DOC_ID}/responses/${validators.size}`, ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`)) });
      validators.set(key, validate);
    }
    const valid = validate(body);
    expect(valid, `${key}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`).toBe(true);
    return body;
  }

  const call = async (method: string, url: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${t.url}${url}`, { method, headers, body });
    return { status: res.status, body: await conform(method, url, res) };
  };
  const ingest = (json: unknown, key = INGEST_KEY) => call('POST', '/api/v1/events', { json, headers: { authorization: `Bearer ${key}` } });
  const act = (json: unknown, withCookie = true) => call('POST', '/api/v1/actions', { json, headers: withCookie ? { cookie } : {} });

  it('ingest: stored and rejected acks, a malformed envelope, no key, a wrong key, a wrong media type', async () => {
    const fresh = reported(gridsOf(DISTRICT_A)[2]!);
    const answer = await ingest({ events: [fresh, lifecycle('incident.closed', caseB), { id: 'x', type: 'incident.exploded' }] });
    expect(answer.status).toBe(200);
    expect(answer.body?.acks.map((a: Json) => a.status)).toEqual(['stored', 'rejected', 'rejected']);
    // a refusal of the state machine carries its code, which the document lists
    expect(answer.body?.acks[1].errors[0]).toMatchObject({ code: 'step_not_allowed' });
    expect((await ingest({ events: [] })).status).toBe(400);
    expect((await ingest({ events: 'none' })).status).toBe(400);
    expect((await call('POST', '/api/v1/events', { json: { events: [fresh] } })).status).toBe(401);
    expect((await ingest({ events: [fresh] }, 'wrong-key-wrong-key-wrong')).status).toBe(403);
    const text = await call('POST', '/api/v1/events', { body: 'hello', headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('officer session, login and actions, with every refusal', async () => {
    expect((await call('GET', '/api/v1/session', { headers: { cookie } })).status).toBe(200);
    const none = await call('GET', '/api/v1/session');
    expect(none).toMatchObject({ status: 401, body: { error: { cause: 'not_logged_in' } } });
    expect((await call('POST', '/api/v1/login', { json: { name: 'desk-a', password: 'wrong' } })).body).toMatchObject({ error: { cause: 'bad_credentials' } });
    expect((await call('POST', '/api/v1/login', { json: { name: 'desk-a' } })).status).toBe(400);
    expect((await act({ action: 'dispatch', incidentId: caseA, departments: [`${DISTRICT_A}001-urban-management`], deadlineHours: 4 })).status).toBe(200);
    expect((await act({ action: 'close', incidentId: caseA })).status).toBe(422);
    expect((await act({ action: 'close', incidentId: 'no-such-case' })).status).toBe(404);
    expect((await act({ action: 'explode', incidentId: caseA })).status).toBe(400);
    expect((await act({ action: 'accept', incidentId: caseB })).status).toBe(403);
    expect((await act({ action: 'accept', incidentId: caseA }, false)).status).toBe(401);
    expect((await call('POST', '/api/v1/logout', { headers: { cookie: 'gw_session=none' } })).status).toBe(204);
  });

  it('the reader routes: city, package files, areas, search, desk, incidents, KPIs, history, health', async () => {
    const grid = gridsOf(DISTRICT_A)[1]!;
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const ok = [
      '/api/v1/health',
      '/api/v1/city',
      '/geodata/areas.topo.json',
      `/api/v1/areas/${DISTRICT_A}`,
      `/api/v1/areas/${grid}`,
      '/api/v1/search?q=53',
      `/api/v1/desk/${grid}`,
      `/api/v1/incidents?area=${DISTRICT_A}`,
      `/api/v1/incidents/${encodeURIComponent(caseA)}`,
      `/api/v1/incidents/${encodeURIComponent(caseA)}?at=${Date.now()}`,
      `/api/v1/search?q=53&at=${Date.now()}`,
      `/api/v1/desk/${grid}?at=${Date.now()}`,
      `/api/v1/kpis?area=${DISTRICT_A}&at=${Date.now() - 60_000}`,
      `/api/v1/kpis?area=${DISTRICT_A}`,
      `/api/v1/history?from=${from}&to=${to}&area=${DISTRICT_A}`,
      `/api/v1/history/aggregate?from=${from}&to=${to}`,
      `/api/v1/history/count?from=${from}&to=${to}`,
      `/api/v1/history/state?from=${from}&at=${to}&window=60000`,
      '/api/v1/openapi.json',
    ];
    for (const url of ok) expect((await call('GET', url)).status, url).toBe(200);
    const refused: Array<[string, number]> = [
      ['/api/v1/areas/530199999', 404],
      ['/geodata/nope.json', 404],
      ['/api/v1/search', 400],
      ['/api/v1/desk/12', 400],
      ['/api/v1/incidents/no-such-case', 404],
      [`/api/v1/incidents/${encodeURIComponent(caseA)}?at=0`, 404],
      [`/api/v1/incidents/${encodeURIComponent(caseA)}?at=yesterday`, 400],
      ['/api/v1/kpis?area=53x', 400],
      [`/api/v1/kpis?at=${Date.now() + 3_600_000}`, 400],
      ['/api/v1/history?from=yesterday&to=now', 400],
      ['/api/v1/history/state?from=0', 400],
    ];
    for (const [url, status] of refused) expect((await call('GET', url)).status, url).toBe(status);
  });

  it('checked a good share of what the document describes', () => {
    // not every documented status can be provoked here (413, 429, 503), but most of them were
    expect(seen.size).toBeGreaterThan(35);
  });
});
