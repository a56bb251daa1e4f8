import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../server/app';
import { AccessConfigError } from '../../server/auth/credentials';
import { UserDirectory } from '../../server/auth/users';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/ops/logger';
import { openEventStore } from '../../server/store/open-event-store';
import { DISTRICT_A, DISTRICT_B, gridsOf, tinyCity } from './helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const gridA = gridsOf(DISTRICT_A)[0] as string;
const gridB = gridsOf(DISTRICT_B)[0] as string;
const incidentIdOf = (event: ReturnType<typeof reported>) => (event.type === 'incident.reported' ? event.incident.id : '');

describe('scope and roles on a loopback server', () => {
  let t: TestServer;
  let screenTokenA: string;
  let incidentA: string;
  let incidentB: string;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-access-'));
    const users = UserDirectory.open(dataDir);
    screenTokenA = users.upsert({ name: 'wall-a', role: 'screen', scope: [DISTRICT_A] }).token as string;
    users.upsert({ name: 'officer-a', role: 'officer', scope: [DISTRICT_A], password: 'correct horse battery' });
    t = await startTestServer({ dataDir });
    const a = reported(gridA);
    const b = reported(gridB);
    incidentA = incidentIdOf(a);
    incidentB = incidentIdOf(b);
    await t.post({ events: [a, b] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a screen for district A receives nothing of district B', async () => {
    const screen = new Screen(t.url, screenTokenA);
    await screen.connected();
    const refused = await screen.subscribe('city');
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', field: 'area' } });
    const refusedB = await screen.subscribe(DISTRICT_B);
    expect(refusedB).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await screen.subscribe(DISTRICT_A)).toMatchObject({ ok: true });
    await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');
    const snapshotState = screen.snapshots[0]?.state as { incidents: Array<{ grid: string }>; areas: Array<{ code: string }> };
    expect(snapshotState.incidents.length).toBeGreaterThan(0);
    expect(snapshotState.incidents.every((i) => i.grid.startsWith(DISTRICT_A))).toBe(true);
    expect(snapshotState.areas.every((a) => a.code.startsWith(DISTRICT_A))).toBe(true);

    const { json } = await t.post({ events: [reported(gridB), reported(gridA), reported(gridB)] });
    const head = Math.max(...json.acks.map((a) => (a.status === 'stored' ? a.seq : 0)));
    await screen.until(() => screen.position >= head, 15_000, 'the batch');
    expect(screen.events).toHaveLength(1);
    expect(screen.events.every((e) => e.grid.startsWith(DISTRICT_A))).toBe(true);
    screen.close();
  });

  it('HTTP reads are scoped the same way for a token holder', async () => {
    const get = (p: string) => fetch(`${t.url}${p}`, { headers: { authorization: `Bearer ${screenTokenA}` } });
    expect((await get(`/api/v1/kpis?area=${DISTRICT_A}`)).status).toBe(200);
    expect((await get(`/api/v1/kpis?area=${DISTRICT_B}`)).status).toBe(403);
    expect((await get('/api/v1/kpis?area=city')).status).toBe(403);
    expect((await get(`/api/v1/incidents/${incidentA}`)).status).toBe(200);
    expect((await get(`/api/v1/incidents/${incidentB}`)).status).toBe(403);
    const open = (await (await get(`/api/v1/incidents?area=${DISTRICT_A}`)).json()) as { incidents: Array<{ grid: string }> };
    expect(open.incidents.every((i) => i.grid.startsWith(DISTRICT_A))).toBe(true);
    expect((await get(`/api/v1/history?from=0&to=${Date.now()}&area=${DISTRICT_B}`)).status).toBe(403);
    // A wrong token is refused, never downgraded to the anonymous loopback screen.
    const wrong = await fetch(`${t.url}/api/v1/kpis`, { headers: { authorization: 'Bearer not-a-real-token' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { cause: string } }).error.cause).toBe('unknown_token');
  });

  it('ingest without a key is refused, and with a wrong key too', async () => {
    const body = JSON.stringify({ events: [reported(gridA)] });
    const none = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-key-wrong-key' },
      body,
    });
    expect(wrong.status).toBe(403);
  });

  it('an officer action without the officer role is refused', async () => {
    const action = JSON.stringify({ action: 'register', incidentId: incidentA });
    const anonymous = await fetch(`${t.url}/api/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: action });
    expect(anonymous.status).toBe(401);
    const asScreen = await fetch(`${t.url}/api/v1/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${screenTokenA}` },
      body: action,
    });
    expect(asScreen.status).toBe(403);
    const withIngestKey = await fetch(`${t.url}/api/v1/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ingestKey}` },
      body: action,
    });
    expect(withIngestKey.status).toBe(401);
  });

  it('an officer acts in scope through the ingest path, and is refused outside it', async () => {
    const badLogin = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password: 'wrong password' }) });
    expect(badLogin.status).toBe(401);
    expect(((await badLogin.json()) as { error: { cause: string } }).error).toMatchObject({ code: 'unauthorized', cause: 'bad_credentials' });
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password: 'correct horse battery' }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^gw_session=/);
    const act = (body: object) =>
      fetch(`${t.url}/api/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });

    const outside = await act({ action: 'register', incidentId: incidentB });
    expect(outside.status).toBe(403);
    const accepted = await act({ action: 'accept', incidentId: incidentA });
    expect(accepted.status).toBe(200);
    const stored = (await accepted.json()) as { ack: { seq: number } };
    const event = (await t.store.readSeqRange(stored.ack.seq - 1, stored.ack.seq))[0];
    expect(event).toMatchObject({ type: 'incident.registered', incidentId: incidentA, actor: { id: 'officer-a', role: 'officer' } });
    // The state machine applies to officers too: a registered case cannot be started before dispatch.
    const illegal = await act({ action: 'start', incidentId: incidentA });
    expect(illegal.status).toBe(422);
    const body = (await illegal.json()) as { error: { fields: Array<{ field: string }> } };
    expect(body.error.fields[0]?.field).toBeTruthy();
    const missing = await act({ action: 'dispatch', incidentId: incidentA });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { error: { fields: Array<{ field: string }> } }).error.fields[0]?.field).toBe('departments');
    // A whistle from the officer's screen needs no invented whistle id; the server gives it one.
    const whistle = await act({ action: 'whistle', incidentId: incidentA, tier: 'community', whistleType: 'routine', departments: [`${DISTRICT_A}001-urban-management`] });
    expect(whistle.status).toBe(200);
    const whistled = (await t.store.incidentEvents(incidentA)).find((e) => e.type === 'incident.whistled');
    expect(whistled?.type === 'incident.whistled' ? whistled.whistleId : '').toMatch(/^w-/);
  });
});

describe('binding beyond loopback', () => {
  it('refuses to start without configured credentials, naming what to set', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bind-'));
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const store = await openEventStore({ dataDir });
    try {
      expect(() => createServer({ config, store, geodata: tinyCity(), logger: createLogger('silent') })).toThrow(AccessConfigError);
      expect(() => createServer({ config, store, geodata: tinyCity(), logger: createLogger('silent') })).toThrow(/SCREEN_TOKEN/);
    } finally {
      await store.close();
    }
  });

  it('with a SCREEN_TOKEN, anonymous screens and reads are refused', async () => {
    const t = await startTestServer({ env: { HOST: '0.0.0.0', SCREEN_TOKEN: 'screen-token-0123456789abcdef' } });
    try {
      const url = `http://127.0.0.1:${t.port}`;
      expect((await fetch(`${url}/api/v1/kpis`)).status).toBe(401);
      expect((await fetch(`${url}/api/v1/kpis`, { headers: { authorization: 'Bearer screen-token-0123456789abcdef' } })).status).toBe(200);
      expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
      const anonymous = new Screen(url);
      await expect(anonymous.connected()).rejects.toThrow(/unauthorized/);
      anonymous.close();
      const screen = new Screen(url, 'screen-token-0123456789abcdef');
      await screen.connected();
      expect(await screen.subscribe('city')).toMatchObject({ ok: true });
      screen.close();
    } finally {
      await t.close();
    }
  });
});
