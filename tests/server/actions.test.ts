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
import { slaHoursFor } from '../../protocol/catalogues';
import type { FieldError } from '../../protocol/events';
import { DEFAULT_KPI_TARGETS } from '../../protocol/kpi';
import type { IncidentRecord } from '../../protocol/transition';
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

  /** The reducer's record of an incident, from the store's projection. */
  const incidentRecord = async (id: string) => (await t.store.getIncident(id))?.doc as IncidentRecord | undefined;

  const act = async (body: object) => {
    const res = await fetch(`${t.url}/api/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { error?: { message: string; fields?: FieldError[] }; ack?: { seq: number } } };
  };

  /** A fresh registered case in the officer's scope. */
  const registeredCase = async (): Promise<string> => {
    const event = reported(gridsOf(DISTRICT_A)[1]!);
    await t.post({ events: [event] });
    const id = incidentIdOf(event);
    expect((await act({ action: 'accept', incidentId: id })).status).toBe(200);
    return id;
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
    // the stable code and its values, for a desk that words the refusal in its own language
    expect(body.error?.fields?.[0]).toMatchObject({ field: 'type', code: 'step_not_allowed', params: { type: 'incident.closed', status: 'closed' } });
  });

  it('an action outside the officer’s scope is refused even when forced through the API', async () => {
    const { status, body } = await act({ action: 'accept', incidentId: caseB });
    expect(status).toBe(403);
    expect(body.error?.message).toMatch(/outside your scope/);
    expect((await t.store.incidentEvents(caseB)).map((e) => e.type)).toEqual(['incident.reported']);
  });

  describe('a deadline chosen at dispatch', () => {
    const HOUR = 3_600_000;
    const street = `${DISTRICT_A}001-urban-management`;

    it('hours from now are accepted and become the incident’s deadline', async () => {
      const id = await registeredCase();
      const before = Date.now();
      const { status, body } = await act({ action: 'dispatch', incidentId: id, departments: [street], deadlineHours: 2 });
      expect(status, JSON.stringify(body)).toBe(200);
      const after = Date.now();
      const record = await incidentRecord(id);
      expect(record?.status).toBe('dispatched');
      expect(record?.deadline).toBeGreaterThanOrEqual(before + 2 * HOUR);
      expect(record?.deadline).toBeLessThanOrEqual(after + 2 * HOUR);
      expect(record!.deadline! - record!.dispatchedAt!).toBe(2 * HOUR);
      const dispatched = (await t.store.incidentEvents(id)).find((e) => e.type === 'incident.dispatched');
      expect(dispatched && 'deadline' in dispatched ? dispatched.deadline : undefined).toBe(new Date(record!.deadline!).toISOString());
      expect(dispatched && 'deadlineHours' in dispatched).toBe(false);
    });

    it('a date-time is accepted as it is, and without one the category’s SLA applies', async () => {
      const id = await registeredCase();
      const deadline = new Date(Math.ceil((Date.now() + 30 * HOUR) / 1000) * 1000).toISOString();
      expect((await act({ action: 'dispatch', incidentId: id, departments: [street], deadline })).status).toBe(200);
      expect((await incidentRecord(id))?.deadline).toBe(Date.parse(deadline));
      const plain = await registeredCase();
      expect((await act({ action: 'dispatch', incidentId: plain, departments: [street] })).status).toBe(200);
      const record = await incidentRecord(plain);
      expect(record!.deadline! - record!.dispatchedAt!).toBe(slaHoursFor('other') * HOUR);
    });

    it('bad deadlines are refused naming the field, and nothing is stored', async () => {
      const id = await registeredCase();
      const soon = new Date(Date.now() + 10 * 60_000).toISOString();
      const far = new Date(Date.now() + 31 * 24 * HOUR).toISOString();
      const cases: Array<[object, string, RegExp, string | undefined]> = [
        [{ deadlineHours: 0.1 }, 'deadlineHours', /between 0\.5 and 720 hours, got 0\.1/, 'deadline_out_of_range'],
        [{ deadlineHours: 721 }, 'deadlineHours', /between 0\.5 and 720 hours/, 'deadline_out_of_range'],
        [{ deadlineHours: -4 }, 'deadlineHours', /between 0\.5 and 720 hours/, 'deadline_out_of_range'],
        [{ deadlineHours: '4h' }, 'deadlineHours', /must be a number of hours/, 'wrong_type'],
        [{ deadlineHours: null }, 'deadlineHours', /must be a number of hours/, 'wrong_type'],
        [{ deadline: 'tomorrow' }, 'deadline', /ISO 8601/, 'bad_format'],
        [{ deadline: '2026-11-22T10:00:00' }, 'deadline', /ISO 8601/, 'bad_format'],
        [{ deadline: soon }, 'deadline', /between 0\.5 and 720 hours/, 'deadline_out_of_range'],
        [{ deadline: far }, 'deadline', /between 0\.5 and 720 hours/, 'deadline_out_of_range'],
        [{ deadline: '2020-01-01T00:00:00Z' }, 'deadline', /in the past/, 'deadline_out_of_range'],
        [{ deadline: far, deadlineHours: 4 }, 'deadlineHours', /both given/, 'exclusive_with'],
      ];
      for (const [extra, field, reason, code] of cases) {
        const { status, body } = await act({ action: 'dispatch', incidentId: id, departments: [street], ...extra });
        expect(status, JSON.stringify(extra)).toBe(400);
        expect(body.error?.fields?.[0]?.field, JSON.stringify(extra)).toBe(field);
        expect(body.error?.fields?.[0]?.reason, JSON.stringify(extra)).toMatch(reason);
        // the stable code a screen words the refusal from (the desk: 「办理时限」须在派遣后 0.5–720 小时之内)
        expect(body.error?.fields?.[0]?.code, JSON.stringify(extra)).toBe(code);
        if (code === 'deadline_out_of_range') expect(body.error?.fields?.[0]?.params).toEqual({ minimum: '0.5', maximum: '720' });
        expect(body.error?.message).toContain(field);
      }
      // another action given a deadline is refused, not silently stripped
      const other = await act({ action: 'start', incidentId: id, deadlineHours: 4 });
      expect(other.status).toBe(400);
      expect(other.body.error?.fields?.[0]).toMatchObject({ field: 'deadlineHours', reason: expect.stringMatching(/only by a dispatch/), code: 'not_for_action' });
      expect((await t.store.incidentEvents(id)).map((e) => e.type)).toEqual(['incident.reported', 'incident.registered']);
      expect((await incidentRecord(id))?.status).toBe('registered');
    });
  });

  describe('a whistle’s report limit (报到时限)', () => {
    const districtDepartment = `${DISTRICT_A}-public-security`;
    const whistle = (incidentId: string, extra: object = {}) =>
      act({ action: 'whistle', incidentId, tier: 'street', whistleType: 'hard', departments: [districtDepartment], ...extra });
    const storedWhistle = async (id: string) => (await t.store.incidentEvents(id)).find((e) => e.type === 'incident.whistled');

    it('one chosen by the officer is stored with the whistle and kept in its record', async () => {
      const id = await registeredCase();
      const { status, body } = await whistle(id, { reportWithinMinutes: 15 });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(await storedWhistle(id)).toMatchObject({ reportWithinMinutes: 15 });
      expect((await incidentRecord(id))?.whistles[0]?.reportWithinMinutes).toBe(15);
    });

    it('without one, the server writes in its limit for the whistle type, so the stored whistle keeps it', async () => {
      const id = await registeredCase();
      expect((await whistle(id)).status).toBe(200);
      expect(await storedWhistle(id)).toMatchObject({ whistleType: 'hard', reportWithinMinutes: 120 });
      expect((await incidentRecord(id))?.whistles[0]?.reportWithinMinutes).toBe(120);
    });

    it('a bad one is refused naming the field with a stable code, and nothing is stored', async () => {
      const id = await registeredCase();
      const cases: Array<[unknown, Partial<FieldError>]> = [
        [3, { code: 'too_small', params: { minimum: '5' } }],
        [20_000, { code: 'too_large', params: { maximum: '10080' } }],
        [12.5, { reason: 'must be a whole number of minutes' }],
        ['soon', { code: 'wrong_type', params: { expected: 'number' } }],
      ];
      for (const [reportWithinMinutes, expected] of cases) {
        const { status, body } = await whistle(id, { reportWithinMinutes });
        expect([400, 422], JSON.stringify(reportWithinMinutes)).toContain(status);
        expect(body.error?.fields?.[0], JSON.stringify(reportWithinMinutes)).toMatchObject({ field: 'reportWithinMinutes', ...expected });
      }
      expect((await t.store.incidentEvents(id)).map((e) => e.type)).toEqual(['incident.reported', 'incident.registered']);
    });
  });

  it('a field that fails its check is named with a stable code and the values it names, and nothing is stored', async () => {
    const id = await registeredCase();
    const cases: Array<[object, Partial<FieldError>]> = [
      [{ action: 'resolve', note: '备'.repeat(2001) }, { field: 'note', code: 'too_long', params: { maximum: '2000' } }],
      [{ action: 'dispatch' }, { field: 'departments', code: 'required', params: {} }],
      [{ action: 'dispatch', departments: 'street' }, { field: 'departments', code: 'wrong_type', params: { expected: 'array' } }],
      [{ action: 'dispatch', departments: [] }, { field: 'departments', code: 'too_few', params: { minimum: '1' } }],
      [{ action: 'supervise', level: 'province' }, { field: 'level', code: 'not_one_of', params: { values: 'street, district, city' } }],
      [{ action: 'cancel', reason: '' }, { field: 'reason', code: 'too_short', params: { minimum: '1' } }],
    ];
    for (const [extra, expected] of cases) {
      const { status, body } = await act({ incidentId: id, ...extra });
      expect([400, 422], JSON.stringify(extra)).toContain(status);
      expect(body.error?.fields?.[0], JSON.stringify(extra)).toMatchObject(expected);
    }
    expect((await t.store.incidentEvents(id)).map((e) => e.type)).toEqual(['incident.reported', 'incident.registered']);
  });

  it('the session check with ?peek=1 answers who is logged in, and the reason once the session has ended', async () => {
    const session = await fetch(`${t.url}/api/v1/session?peek=1`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ name: 'desk-a', role: 'officer' });
    const ended = await fetch(`${t.url}/api/v1/session?peek=1`, { headers: { cookie: 'gw_session=no-such-session-token' } });
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { error: { message: string; cause: string } }).error).toMatchObject({ message: expect.stringMatching(/expired|log in/), cause: 'session_expired' });
  });

  it('a session expires after its hours and is then refused', () => {
    const access = new Access({ ingestKey: 'k'.repeat(20), users: UserDirectory.open(t.dataDir), screenToken: undefined, anonymousScreens: true, sessionHours: 8 });
    const start = Date.now();
    const { token } = access.createSession({ name: 'desk-a', role: 'officer', scope: ['530102'] }, start);
    const cookieHeader = `gw_session=${token}`;
    expect(access.authenticate(undefined, cookieHeader, start + 7.9 * 3_600_000).kind).toBe('principal');
    expect(access.authenticate(undefined, cookieHeader, start + 8 * 3_600_000)).toEqual({ kind: 'invalid', reason: 'the session has expired; log in again', cause: 'session_expired' });
  });
});

describe('the desk’s session check', () => {
  let t: TestServer;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-peek-'));
    UserDirectory.open(dataDir).upsert({ name: 'desk-p', role: 'officer', scope: [DISTRICT_A], password: 'desk officer pw' });
    // 0.05 minutes = 3 s
    t = await startTestServer({ dataDir, env: { SESSION_IDLE_MINUTES: '0.05' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('?peek=1 does not keep an idle session alive, and then names the idle timeout', async () => {
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'desk-p', password: 'desk officer pw' }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const peek = () => fetch(`${t.url}/api/v1/session?peek=1`, { headers: { cookie } });
    const started = Date.now();
    // checks 1 s apart: were they uses, each would slide the 3 s timeout and the session would hold
    let status = 200;
    while (status === 200 && Date.now() - started < 6_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      status = (await peek()).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(((await (await peek()).json()) as { error: { message: string; cause: string } }).error).toMatchObject({ message: expect.stringMatching(/idle for more than 3 seconds/), cause: 'session_idle' });
  });
});

/** What GET /api/v1/city publishes on a server started with `env`. */
async function publishedCity(env: Record<string, string> = {}): Promise<{ kpiTargets: Record<string, number> }> {
  const t = await startTestServer({ env });
  try {
    return (await (await fetch(`${t.url}/api/v1/city`)).json()) as { kpiTargets: Record<string, number> };
  } finally {
    await t.close();
  }
}

describe('a server configured with its own KPI targets (KPI_TARGETS)', () => {
  it('tells screens through /api/v1/city, as shares, and publishes the defaults without it', async () => {
    expect((await publishedCity({ KPI_TARGETS: 'resolutionRate=80,satisfactionRate=off' })).kpiTargets).toEqual({ resolutionRate: 0.8, onTimeRate: 0.9, reportOnTimeRate: 0.95 });
    expect((await publishedCity()).kpiTargets).toEqual(DEFAULT_KPI_TARGETS);
  });
});

describe('a server configured with its own report limits (WHISTLE_REPORT_MINUTES)', () => {
  it('writes them into whistles that name none, over ingest too, and tells screens through /api/v1/city', async () => {
    const t = await startTestServer({ env: { WHISTLE_REPORT_MINUTES: 'hard=45' } });
    try {
      const city = (await (await fetch(`${t.url}/api/v1/city`)).json()) as { whistleReportMinutes: Record<string, number> };
      expect(city.whistleReportMinutes).toEqual({ emergency: 30, hard: 45, routine: 1440 });
      const event = reported(gridsOf(DISTRICT_A)[1]!);
      const id = incidentIdOf(event);
      const at = new Date().toISOString();
      const whistled = (whistleId: string, whistleType: string, extra: object = {}) => ({
        id: `ev-${whistleId}`, type: 'incident.whistled', at, incidentId: id, whistleId, tier: 'street', whistleType, departments: [`${DISTRICT_A}-public-security`], ...extra,
      });
      const { status } = await t.post({ events: [event, { id: 'ev-reg', type: 'incident.registered', at, incidentId: id }, whistled('w-a', 'hard'), whistled('w-b', 'emergency'), whistled('w-c', 'hard', { reportWithinMinutes: 600 })] });
      expect(status).toBe(200);
      const stored = (await t.store.incidentEvents(id)).filter((e) => e.type === 'incident.whistled');
      expect(stored.map((e) => (e as { reportWithinMinutes?: number }).reportWithinMinutes)).toEqual([45, 30, 600]);
    } finally {
      await t.close();
    }
  });
});
