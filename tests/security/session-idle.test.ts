/**
 * What docs/security.md claims about the idle timeout of officer sessions:
 * - a session unused for SESSION_IDLE_MINUTES is refused with a 401 that says so, even well inside SESSION_HOURS;
 * - every authenticated use slides the timeout (a busy officer is never logged out by it);
 * - a `peek` (the socket sweep) does not slide it; an idle-expired session stays dead after a later request;
 * - the 401 also clears the dead cookie, so the next page load is not stuck with it;
 * - SESSION_IDLE_MINUTES is validated and defaults to 30.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access, SESSION_COOKIE } from '../../server/auth/access';
import { UserDirectory } from '../../server/auth/users';
import { loadConfig } from '../../server/config';
import { DISTRICT_A } from '../server/helpers/tiny-city';
import { startTestServer, type TestServer } from '../server/helpers/test-server';

const MIN = 60_000;
const OFFICER = { name: 'officer-a', role: 'officer' as const, scope: [DISTRICT_A] };

describe('session idle timeout', () => {
  let dataDir: string;
  const password = 'officer-a-password-123';
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-idle-'));
    UserDirectory.open(dataDir).upsert({ ...OFFICER, password });
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is validated and defaults to 30 minutes', () => {
    expect(loadConfig({}).sessionIdleMinutes).toBe(30);
    expect(loadConfig({ SESSION_IDLE_MINUTES: '5' }).sessionIdleMinutes).toBe(5);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: 'soon' })).toThrow(/SESSION_IDLE_MINUTES: must be a number/);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES: must be ≥ 0.01/);
  });

  it('refuses an idle session with its reason, and slides on every use (fake clock)', () => {
    const access = new Access({ ingestKey: 'k'.repeat(32), users: UserDirectory.open(dataDir), screenToken: undefined, anonymousScreens: false, sessionHours: 12, sessionIdleMinutes: 30 });
    const t0 = Date.parse('2026-11-22T08:00:00Z');
    const { token } = access.createSession(OFFICER, t0);
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(token)}`;
    // used every 29 minutes for 5 hours: never idle
    let now = t0;
    for (let i = 0; i < 10; i++) {
      now += 29 * MIN;
      expect(access.authenticate(undefined, cookie, now).kind, `use ${i}`).toBe('principal');
    }
    // peeks do not count as use
    expect(access.authenticate(undefined, cookie, now + 20 * MIN, 'peek').kind).toBe('principal');
    const idle = access.authenticate(undefined, cookie, now + 30 * MIN);
    expect(idle).toEqual({ kind: 'invalid', reason: 'the session was idle for more than 30 minutes; log in again', cause: 'session_idle' });
    // once refused it stays refused, even if asked again at once
    expect(access.authenticate(undefined, cookie, now + 30 * MIN + 1).kind).toBe('invalid');
  });

  it('still ends after SESSION_HOURS however busy the officer is', () => {
    const access = new Access({ ingestKey: 'k'.repeat(32), users: UserDirectory.open(dataDir), screenToken: undefined, anonymousScreens: false, sessionHours: 1, sessionIdleMinutes: 30 });
    const t0 = Date.parse('2026-11-22T08:00:00Z');
    const { token } = access.createSession(OFFICER, t0);
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(token)}`;
    expect(access.authenticate(undefined, cookie, t0 + 25 * MIN).kind).toBe('principal');
    expect(access.authenticate(undefined, cookie, t0 + 50 * MIN).kind).toBe('principal');
    expect(access.authenticate(undefined, cookie, t0 + 60 * MIN)).toEqual({ kind: 'invalid', reason: 'the session has expired; log in again', cause: 'session_expired' });
  });

  describe('over HTTP with a tiny timeout', () => {
    let t: TestServer;
    // 0.05 minutes = 3 s
    beforeAll(async () => {
      t = await startTestServer({ dataDir, env: { SESSION_IDLE_MINUTES: '0.05' } });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers 401 naming the idle timeout after a pause, and slides while used', async () => {
      const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      // four uses 1 s apart span 4 s, more than the timeout: each one slides it
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 1_000));
        expect((await fetch(`${t.url}/api/v1/session`, { headers: { cookie } })).status, `use ${i}`).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 3_500));
      const idle = await fetch(`${t.url}/api/v1/kpis`, { headers: { cookie } });
      expect(idle.status).toBe(401);
      // the browser is told to drop the dead cookie, so the next page load reads as before login
      // (and the page-readable hint that there is a session to ask about goes with it)
      expect(idle.headers.getSetCookie()).toEqual(['gw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0', 'gw_signed_in=; Path=/; SameSite=Strict; Max-Age=0']);
      expect(((await idle.json()) as { error: { code: string; message: string } }).error).toEqual({
        code: 'unauthorized',
        message: 'the session was idle for more than 3 seconds; log in again',
        cause: 'session_idle',
      });
    });
  });
});
