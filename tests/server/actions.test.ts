/**
 * Officer actions as the desk sends them: a whole case handled through POST /api/v1/actions (accept → dispatch →
 * whistle → report → start → resolve → verify → close → rate), each one a stored lifecycle event seen by screens;
 * the reason of an illegal transition named; an out-of-scope action forced through the API refused; sessions expire.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access } from '../../server/auth/access';
import { UserDirectory } from '../../server/auth/users';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const incidentIdOf = (event: ReturnType<typeof reported>) => (event.type === 'incident.reported' ? event.incident.id : '');

describe('officer actions through the desk API', () => {
  let t: TestServer;
  let cookie = '';
  let caseA = '';
  let caseB = '';
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-actions-'));
    UserDirectory.open(dataDir).upsert({ name: 'desk-a', role: 'officer', scope: [`${DISTRICT_A}001`], password: 'desk officer pw' });
    t = await startTestServer({ dataDir });
    const a = reported(gridsOf(DISTRICT_A)[1]!);
    const b = reported(gridsOf(DISTRICT_B)[1]!);
    caseA = incidentIdOf(a);
    caseB = incidentIdOf(b);
    await t.post({ events: [a, b] });
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'desk-a', password: 'desk officer pw' }) });
    expect(login.status).toBe(200);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  });
  afterAll(async () => {
    await t.close();
  });

  const act = async (body: object) => {
    const res = await fetch(`${t.url}/api/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { error?: { message: string; fields?: Array<{ field: string; reason: string }> }; ack?: { seq: number } } };
  };

  it('an officer handles a case end to end, and a screen sees every step', async () => {
    const screen = new Screen(t.url);
    await screen.connected();
    expect(await screen.subscribe(DISTRICT_A)).toMatchObject({ ok: true });
    const street = `${DISTRICT_A}001-urban-management`;
    const steps: object[] = [
      { action: 'accept' },
      { action: 'dispatch', departments: [street] },
      { action: 'whistle', tier: 'street', whistleType: 'hard', departments: [`${DISTRICT_A}-public-security`], whistleId: 'w-desk-1', note: '需公安协同' },
      { action: 'report', whistleId: 'w-desk-1', department: `${DISTRICT_A}-public-security`, stage: 'acknowledged' },
      { action: 'report', whistleId: 'w-desk-1', department: `${DISTRICT_A}-public-security`, stage: 'arrived' },
      { action: 'start' },
      { action: 'resolve', note: '已清理' },
      { action: 'verify', passed: true },
      { action: 'close' },
      { action: 'rate', satisfaction: 4 },
    ];
    let lastSeq = 0;
    for (const step of steps) {
      const { status, body } = await act({ ...step, incidentId: caseA });
      expect(status, `${JSON.stringify(step)}: ${JSON.stringify(body)}`).toBe(200);
      lastSeq = body.ack?.seq ?? lastSeq;
    }
    await screen.until(() => screen.position >= lastSeq, 15_000, 'every action relayed');
    const types = screen.events.filter((e) => 'incidentId' in e && e.incidentId === caseA).map((e) => e.type);
    expect(types).toEqual([
      'incident.registered', 'incident.dispatched', 'incident.whistled', 'department.reported', 'department.reported', 'incident.started',
      'incident.resolved', 'incident.verified', 'incident.closed', 'incident.rated',
    ]);
    const stored = await t.store.incidentEvents(caseA);
    expect(stored.filter((e) => e.type !== 'incident.reported').every((e) => e.actor?.id === 'desk-a' && e.actor.role === 'officer')).toBe(true);
    expect(stored.find((e) => e.type === 'incident.whistled')?.note).toBe('需公安协同');
    screen.close();
  });

  it('an illegal transition is refused with the state machine’s reason', async () => {
    const { status, body } = await act({ action: 'close', incidentId: caseA });
    expect(status).toBe(422);
    expect(body.error?.message).toMatch(/close was refused/);
    expect(body.error?.fields?.[0]?.reason).toMatch(/not allowed while the incident is closed/);
  });

  it('an action outside the officer’s scope is refused even when forced through the API', async () => {
    const { status, body } = await act({ action: 'accept', incidentId: caseB });
    expect(status).toBe(403);
    expect(body.error?.message).toMatch(/outside your scope/);
    expect((await t.store.incidentEvents(caseB)).map((e) => e.type)).toEqual(['incident.reported']);
  });

  it('a session expires after its hours and is then refused', () => {
    const access = new Access({ ingestKey: 'k'.repeat(20), users: UserDirectory.open(t.dataDir), screenToken: undefined, anonymousScreens: true, sessionHours: 8 });
    const start = Date.now();
    const { token } = access.createSession({ name: 'desk-a', role: 'officer', scope: ['530102'] }, start);
    const cookieHeader = `gw_session=${token}`;
    expect(access.authenticate(undefined, cookieHeader, start + 7.9 * 3_600_000).kind).toBe('principal');
    expect(access.authenticate(undefined, cookieHeader, start + 8 * 3_600_000)).toEqual({ kind: 'invalid', reason: 'the session has expired; log in again' });
  });
});
