/**
 * What docs/security.md claims about headers, sessions and rate limits:
 * - the CSP allows only this origin (plus blob: workers and ws:/wss: to it), never 'unsafe-eval' nor
 *   'unsafe-inline' (styles: 'self' and the hash of the page's one <style>), no plugins, no framing by others; nosniff, no-referrer, no X-Powered-By; the built page loads nothing from another origin;
 * - the session cookie is HttpOnly and SameSite=Strict, lives SESSION_HOURS, is refused once expired or logged out;
 * - the login limit answers 429 from the 21st attempt a minute from one address.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access, SESSION_COOKIE } from '../../server/auth/access';
import { SIGNED_IN_COOKIE } from '../../protocol/events';
import { UserDirectory } from '../../server/auth/users';
import { buildClient } from '../browser/helpers/build-client';
import { DISTRICT_A } from '../server/helpers/tiny-city';
import { startTestServer, type TestServer } from '../server/helpers/test-server';

function parseCsp(header: string): Map<string, string[]> {
  return new Map(header.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name as string, values]));
}

describe('headers, sessions and rate limits', () => {
  let t: TestServer;
  let dataDir: string;
  const password = 'officer-a-password-123';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-sessions-'));
    UserDirectory.open(dataDir).upsert({ name: 'officer-a', role: 'officer', scope: [DISTRICT_A], password });
    t = await startTestServer({ dataDir, env: { SESSION_HOURS: '2' } });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('every answer carries a same-origin CSP without unsafe-eval, and no framework banner', async () => {
    for (const route of ['/', '/api/v1/health', '/api/v1/nope', '/geodata/areas.topo.json']) {
      const res = await fetch(`${t.url}${route}`);
      const csp = parseCsp(res.headers.get('content-security-policy') ?? '');
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'self'", 'ws:', 'wss:']);
      expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
      // styles: this origin and, when a built client is served, the hash of its index.html <style>; never inline
      const styleSrc = csp.get('style-src') ?? [];
      expect(styleSrc[0]).toBe("'self'");
      expect(styleSrc.slice(1).filter((v) => !/^'sha256-[A-Za-z0-9+/]+=*'$/.test(v))).toEqual([]);
      const all = [...csp.values()].flat();
      expect(all).not.toContain("'unsafe-eval'");
      expect(all).not.toContain("'unsafe-inline'");
      expect(all.filter((v) => /^https?:/.test(v) || v === '*')).toEqual([]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('the built page loads nothing from another origin', async () => {
    const bundleDir = await buildClient();
    const html = fs.readFileSync(path.join(bundleDir, 'index.html'), 'utf8');
    fs.rmSync(bundleDir, { recursive: true, force: true });
    expect(html).toMatch(/<script/);
    expect(html.match(/(?:src|href)\s*=\s*["'](?:https?:)?\/\/[^"']*/gi) ?? []).toEqual([]);
  }, 180_000);

  it('the session cookie is HttpOnly, SameSite=Strict, lives SESSION_HOURS and dies on logout', async () => {
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password }) });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)?.[1])).toBeGreaterThan(2 * 3600 - 60);
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)?.[1])).toBeLessThanOrEqual(2 * 3600);
    const cookie = setCookie.split(';')[0] as string;
    // with it, a cookie the page can read and that holds no secret, so that a page without it asks nothing
    const [session, hint] = login.headers.getSetCookie();
    expect(session).toBe(`${SESSION_COOKIE}=${cookie.split('=')[1]}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${/Max-Age=(\d+)/.exec(setCookie)?.[1]}`);
    expect(hint).toBe(`${SIGNED_IN_COOKIE}=1; Path=/; SameSite=Strict; Max-Age=${/Max-Age=(\d+)/.exec(setCookie)?.[1]}`);
    expect((await fetch(`${t.url}/api/v1/session`, { headers: { cookie } })).status).toBe(200);
    const logout = await fetch(`${t.url}/api/v1/logout`, { method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()).toEqual([`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`, `${SIGNED_IN_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`]);
    const after = await fetch(`${t.url}/api/v1/session`, { headers: { cookie } });
    expect(after.status).toBe(401);
    // a logged-out cookie is refused, never downgraded to an anonymous reader
    expect((await fetch(`${t.url}/api/v1/kpis`, { headers: { cookie } })).status).toBe(401);
  });

  it('a session is refused once SESSION_HOURS have passed', () => {
    const users = UserDirectory.open(dataDir);
    const access = new Access({ ingestKey: 'k'.repeat(32), users, screenToken: undefined, anonymousScreens: false, sessionHours: 12 });
    const now = Date.parse('2026-11-22T08:00:00Z');
    const session = access.createSession({ name: 'officer-a', role: 'officer', scope: [DISTRICT_A] }, now);
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(session.token)}`;
    expect(access.authenticate(undefined, cookie, now + 12 * 3_600_000 - 1).kind).toBe('principal');
    const expired = access.authenticate(undefined, cookie, now + 12 * 3_600_000);
    expect(expired).toEqual({ kind: 'invalid', reason: 'the session has expired; log in again', cause: 'session_expired' });
  });

  it('login answers 429 from the 21st attempt in a minute from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password: 'wrong-password' }) });
      statuses.push(res.status);
    }
    // one attempt was spent by the session test above
    expect(statuses.filter((s) => s === 401).length).toBe(19);
    expect(statuses.slice(19)).toEqual([429, 429, 429]);
  });
});
