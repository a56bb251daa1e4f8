/**
 * Scope on every route (docs/security.md): a screen token and an officer scoped to district A are refused every
 * read of district B, on every route of the OpenAPI document; the table below must name every documented path, so
 * a new route cannot ship without a decision about its scope. Public routes are listed with the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../../server/auth/users';
import { DISTRICT_A, DISTRICT_B, gridsOf } from '../server/helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from '../server/helpers/test-server';

const gridA = gridsOf(DISTRICT_A)[0] as string;
const gridB = gridsOf(DISTRICT_B)[0] as string;
const DAY = 86_400_000;

/** Every documented path: the out-of-scope request it must refuse, or why it has no area. */
const ROUTES: Record<string, { outOfScope: (ids: { incidentB: string }) => string } | { public: string }> = {
  '/api/v1/events': { public: 'ingest key, not a reader: integrators feed the whole city' },
  '/api/v1/health': { public: 'liveness for load balancers: counts only' },
  '/metrics': { public: 'Prometheus counters, no incident data; METRICS_TOKEN off loopback (metrics-and-proxy.test.ts)' },
  '/api/v1/openapi.json': { public: 'the API description' },
  '/api/v1/city': { public: 'the city package metadata (public geography)' },
  '/geodata/{file}': { public: 'the city package files (public geography, no incidents)' },
  '/api/v1/login': { public: 'logging in' },
  '/api/v1/logout': { public: 'logging out' },
  '/api/v1/session': { public: 'who am I: answers only about the caller' },
  '/api/v1/actions': { public: 'officer only; scope checked per incident (see the action test below)' },
  '/api/v1/areas/{code}': { outOfScope: () => `/api/v1/areas/${DISTRICT_B}` },
  '/api/v1/desk/{code}': { outOfScope: () => `/api/v1/desk/${gridB}` },
  '/api/v1/search': { outOfScope: ({ incidentB }) => `/api/v1/search?q=${incidentB}` },
  '/api/v1/incidents': { outOfScope: () => `/api/v1/incidents?area=${DISTRICT_B}` },
  '/api/v1/incidents/{id}': { outOfScope: ({ incidentB }) => `/api/v1/incidents/${incidentB}` },
  '/api/v1/kpis': { outOfScope: () => `/api/v1/kpis?area=${DISTRICT_B}` },
  '/api/v1/history': { outOfScope: () => `/api/v1/history?from=0&to=${Date.now() + DAY}&area=${DISTRICT_B}` },
  '/api/v1/history/aggregate': { outOfScope: () => `/api/v1/history/aggregate?from=${Date.now() - DAY}&to=${Date.now() + DAY}&area=${DISTRICT_B}` },
  '/api/v1/history/count': { outOfScope: () => `/api/v1/history/count?from=${Date.now() - DAY}&to=${Date.now() + DAY}&area=${DISTRICT_B}` },
  '/api/v1/history/state': { outOfScope: () => `/api/v1/history/state?from=0&at=${Date.now()}&window=60000&area=${DISTRICT_B}` },
};

describe('scope on every route and socket event', () => {
  let t: TestServer;
  let dataDir: string;
  let screenToken: string;
  let officerCookie: string;
  let incidentB: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-scope-'));
    const users = UserDirectory.open(dataDir);
    screenToken = users.upsert({ name: 'wall-a', role: 'screen', scope: [DISTRICT_A] }).token as string;
    users.upsert({ name: 'officer-a', role: 'officer', scope: [DISTRICT_A], password: 'officer-a-password-123' });
    t = await startTestServer({ dataDir });
    const inB = reported(gridB);
    incidentB = inB.type === 'incident.reported' ? inB.incident.id : '';
    expect((await t.post({ events: [reported(gridA), inB] })).json.stored).toBe(2);
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password: 'officer-a-password-123' }) });
    expect(login.status).toBe(200);
    officerCookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the table covers every path of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [route, rule] of Object.entries(ROUTES)) {
    if (!('outOfScope' in rule)) continue;
    it(`${route} refuses district B to a screen token and an officer of district A`, async () => {
      const url = `${t.url}${rule.outOfScope({ incidentB })}`;
      const callers: Array<Record<string, string>> = [{ authorization: `Bearer ${screenToken}` }, { cookie: officerCookie }];
      for (const headers of callers) {
        const res = await fetch(url, { headers });
        const body = (await res.json()) as { hits?: Array<{ id?: string; code?: string }>; error?: { code: string } };
        if (route === '/api/v1/search') {
          // search answers 200 with the caller's own matches only
          expect(res.status).toBe(200);
          expect(JSON.stringify(body.hits)).not.toContain(incidentB);
          expect(JSON.stringify(body.hits)).not.toContain(DISTRICT_B);
        } else {
          expect(res.status).toBe(403);
          expect(body.error?.code).toBe('forbidden');
        }
      }
    });
  }

  it('an officer of district A may not act on an incident of district B', async () => {
    const res = await fetch(`${t.url}/api/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: officerCookie }, body: JSON.stringify({ action: 'accept', incidentId: incidentB }) });
    expect(res.status).toBe(403);
    expect(await t.store.headSeq()).toBe(2);
  });

  it('the socket refuses a subscribe to district B, and to the whole city', async () => {
    const screen = new Screen(t.url, screenToken);
    try {
      await screen.connected();
      for (const area of [DISTRICT_B, gridB, 'city']) {
        const ack = await screen.subscribe(area);
        expect(ack.ok ? 'ok' : ack.error.code).toBe('forbidden');
      }
      expect(screen.snapshots).toEqual([]);
    } finally {
      screen.close();
    }
  });
});
