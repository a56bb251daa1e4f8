/**
 * What docs/security.md claims about screen tokens and about credentials that end while a socket is open:
 * - `npm run users -- add … --expires 90d` (or an ISO date) gives a screen token an expiry; bad values name
 *   `--expires`; only screens expire; `rotate` issues a new token and the old one is refused at once;
 * - after its expiry a token is refused on HTTP and on the `/live` handshake, with the reason;
 * - the running server sees CLI changes without a restart;
 * - an open `/live` socket whose user is removed, whose token expires or whose officer logs out is closed by the
 *   sweep; a message it sends in between is refused `unauthorized` before any handler runs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server as SocketServer } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access, SESSION_COOKIE } from '../../server/auth/access';
import { guardLiveSockets } from '../../server/auth/live-guard';
import type { Principal } from '../../server/auth/scope';
import { parseExpiry, UserDirectory } from '../../server/auth/users';
import { createLogger } from '../../server/ops/logger';
import { DISTRICT_A } from '../server/helpers/tiny-city';
import { Screen, startTestServer, type TestServer } from '../server/helpers/test-server';

const DAY = 86_400_000;
const TSX = path.resolve('node_modules/.bin/tsx');

function usersCli(dataDir: string, ...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(TSX, ['server/auth/cli.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** Resolves with the reason once the socket is closed by the server. */
function closedByServer(screen: Screen, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (screen.socket.disconnected) return resolve('already');
    const timer = setTimeout(() => reject(new Error('the server did not close the socket')), ms);
    screen.socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('screen token expiry', () => {
  it('--expires takes durations and ISO dates, and names itself when wrong', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    expect(parseExpiry('90d', now).getTime()).toBe(now + 90 * DAY);
    expect(parseExpiry('12h', now).getTime()).toBe(now + 12 * 3_600_000);
    expect(parseExpiry('2w', now).getTime()).toBe(now + 14 * DAY);
    expect(parseExpiry('30m', now).getTime()).toBe(now + 30 * 60_000);
    expect(parseExpiry('2027-03-01', now).toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(parseExpiry('2027-03-01T08:00:00+08:00', now).toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(() => parseExpiry('90x', now)).toThrow(/^--expires: "90x" is neither a duration/);
    expect(() => parseExpiry('0d', now)).toThrow(/^--expires: a duration must be more than 0/);
    expect(() => parseExpiry('2026-01-01', now)).toThrow(/^--expires: 2026-01-01T00:00:00.000Z is already past/);
    expect(() => parseExpiry('2027-02-30', now)).toThrow(/^--expires: "2027-02-30" is not a real date$/);
  });

  it('only screens expire', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-expiry-'));
    try {
      const users = UserDirectory.open(dataDir);
      expect(() => users.upsert({ name: 'o', role: 'officer', scope: ['city'], password: 'long enough pw', expiresAt: new Date(Date.now() + DAY) })).toThrow(/^expires: only screen tokens expire/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the users CLI adds a screen with an expiry, lists it, rotates its token and refuses bad values', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-cli-'));
    try {
      const added = usersCli(dataDir, 'add', 'wall-a', '--role', 'screen', '--scope', DISTRICT_A, '--expires', '90d');
      expect(added.status, added.out).toBe(0);
      const expires = /expires (\S+)\)/.exec(added.out)?.[1] as string;
      expect(Math.abs(Date.parse(expires) - (Date.now() + 90 * DAY))).toBeLessThan(120_000);
      const token = /screen token .*: (\S+)/.exec(added.out)?.[1] as string;
      expect(UserDirectory.open(dataDir).authenticateToken(token)?.name).toBe('wall-a');
      expect(usersCli(dataDir, 'list').out).toMatch(new RegExp(`wall-a\\tscreen\\t${DISTRICT_A}\\t\\S+\\texpires ${expires}`));

      const rotated = usersCli(dataDir, 'rotate', 'wall-a', '--expires', '30d');
      expect(rotated.status, rotated.out).toBe(0);
      const newToken = /screen token .*: (\S+)/.exec(rotated.out)?.[1] as string;
      expect(newToken).not.toBe(token);
      const directory = UserDirectory.open(dataDir);
      expect(directory.checkToken(token)).toEqual({ kind: 'unknown' });
      expect(directory.authenticateToken(newToken)?.scope).toEqual([DISTRICT_A]);

      const bad = usersCli(dataDir, 'add', 'wall-b', '--role', 'screen', '--scope', DISTRICT_A, '--expires', 'next week');
      expect(bad.status).toBe(2);
      expect(bad.out).toMatch(/--expires: "next week" is neither a duration/);
      const officer = usersCli(dataDir, 'rotate', 'admin');
      expect(officer.status).toBe(2);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('on a running server', () => {
    let t: TestServer;
    let dataDir: string;
    const password = 'officer-a-password-123';
    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-tokens-'));
      UserDirectory.open(dataDir).upsert({ name: 'officer-a', role: 'officer', scope: [DISTRICT_A], password });
      t = await startTestServer({ dataDir });
    });
    afterAll(async () => {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses an expired token on HTTP and on the socket, and closes its open socket', async () => {
      // added by "another process" while the server runs: the server sees it without a restart
      const token = UserDirectory.open(dataDir).upsert({ name: 'wall-soon', role: 'screen', scope: [DISTRICT_A], expiresAt: new Date(Date.now() + 2_500) }).token as string;
      const get = () => fetch(`${t.url}/api/v1/kpis?area=${DISTRICT_A}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      const open = new Screen(t.url, token);
      await open.connected();
      expect(await open.subscribe(DISTRICT_A)).toMatchObject({ ok: true });
      const closed = closedByServer(open);

      await new Promise((r) => setTimeout(r, 2_600));
      const refused = await get();
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^the screen token of wall-soon expired at \S+; issue a new one \(npm run users -- rotate wall-soon\)$/);
      const late = new Screen(t.url, token);
      await expect(late.connected()).rejects.toThrow(/unauthorized: the screen token of wall-soon expired/);
      late.close();
      expect(await closed).toBe('io server disconnect');
      open.close();
    });

    it('closes the socket of a screen removed while connected', async () => {
      const token = UserDirectory.open(dataDir).upsert({ name: 'wall-gone', role: 'screen', scope: [DISTRICT_A] }).token as string;
      const screen = new Screen(t.url, token);
      await screen.connected();
      expect(await screen.subscribe(DISTRICT_A)).toMatchObject({ ok: true });
      const closed = closedByServer(screen);
      expect(UserDirectory.open(dataDir).remove('wall-gone')).toBe(true);
      expect(await closed).toBe('io server disconnect');
      expect((await fetch(`${t.url}/api/v1/kpis?area=${DISTRICT_A}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      screen.close();
    });

    it('closes the socket of an officer who logs out, and the session of a removed officer', async () => {
      const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
      const desk = connect(`${t.url}/live`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie } });
      await new Promise<void>((resolve, reject) => {
        desk.once('connect', () => resolve());
        desk.once('connect_error', reject);
      });
      expect(await desk.emitWithAck('subscribe', { area: DISTRICT_A })).toMatchObject({ ok: true });
      const closed = new Promise<string>((resolve) => desk.once('disconnect', resolve));
      expect((await fetch(`${t.url}/api/v1/logout`, { method: 'POST', headers: { cookie } })).status).toBe(204);
      expect(await closed).toBe('io server disconnect');
      desk.close();

      // a session of an officer removed from the directory ends at its next use
      const again = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-a', password }) });
      const second = (again.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect((await fetch(`${t.url}/api/v1/session`, { headers: { cookie: second } })).status).toBe(200);
      UserDirectory.open(dataDir).remove('officer-a');
      const gone = await fetch(`${t.url}/api/v1/session`, { headers: { cookie: second } });
      expect(gone.status).toBe(401);
      expect(((await gone.json()) as { error: { message: string } }).error.message).toBe('user officer-a was removed or has expired; the session has ended');
    });
  });
});

describe('the /live guard on its own', () => {
  let dataDir: string;
  let httpServer: http.Server;
  let url: string;
  let guard: ReturnType<typeof guardLiveSockets>;
  let handled = 0;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-guard-'));
    const users = UserDirectory.open(dataDir);
    const access = new Access({ ingestKey: 'k'.repeat(32), users, screenToken: undefined, anonymousScreens: false, sessionHours: 12 });
    httpServer = http.createServer();
    const io = new SocketServer<Record<string, (...args: never[]) => void>, Record<string, never>, Record<string, never>, { principal: Principal; area?: string }>(httpServer);
    const live = io.of('/live');
    live.use((socket, next) => {
      const principal = access.readerOf(access.authenticateHandshake(socket.handshake.auth, socket.handshake.headers));
      if (!principal) return next(new Error('unauthorized'));
      socket.data = { principal };
      next();
    });
    // the sweep is left to the test (once a minute otherwise), so the per-message check is seen on its own
    guard = guardLiveSockets({ namespace: live, access, logger: createLogger('silent'), sweepMs: 60_000 });
    live.on('connection', (socket) => {
      socket.on('subscribe', (request: { area: string }, ack: (r: unknown) => void) => {
        handled++;
        socket.data.area = request.area;
        ack({ ok: true });
      });
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    guard.close();
    await new Promise((resolve) => httpServer.close(resolve));
    httpServer.closeAllConnections();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses the next message of a removed screen before its handler, then closes it', async () => {
    const token = UserDirectory.open(dataDir).upsert({ name: 'wall-x', role: 'screen', scope: [DISTRICT_A] }).token as string;
    const screen = new Screen(url, token);
    await screen.connected();
    expect(await screen.subscribe(DISTRICT_A)).toEqual({ ok: true });
    expect(handled).toBe(1);
    const closed = closedByServer(screen);
    UserDirectory.open(dataDir).remove('wall-x');
    expect(await screen.subscribe(DISTRICT_A)).toEqual({ ok: false, error: { code: 'unauthorized', message: 'unauthorized: unknown token' } });
    expect(handled).toBe(1);
    expect(await closed).toBe('io server disconnect');
    screen.close();
  });

  it('the sweep closes a socket whose scope no longer covers its area, and keeps the others', async () => {
    const users = UserDirectory.open(dataDir);
    const narrowed = users.upsert({ name: 'wall-n', role: 'screen', scope: ['city'] }).token as string;
    const kept = users.upsert({ name: 'wall-k', role: 'screen', scope: [DISTRICT_A] }).token as string;
    const a = new Screen(url, narrowed);
    const b = new Screen(url, kept);
    await Promise.all([a.connected(), b.connected()]);
    expect(await a.subscribe('city')).toEqual({ ok: true });
    expect(await b.subscribe(DISTRICT_A)).toEqual({ ok: true });
    expect(guard.sweep()).toBe(0);
    // same token, narrower scope: written as the CLI would (keeping the token's fingerprint)
    const file = JSON.parse(fs.readFileSync(users.file, 'utf8')) as { users: Array<{ name: string; scope: string[] }> };
    for (const user of file.users) if (user.name === 'wall-n') user.scope = [DISTRICT_A];
    fs.writeFileSync(`${users.file}.tmp`, JSON.stringify(file));
    fs.renameSync(`${users.file}.tmp`, users.file);
    const closed = closedByServer(a);
    expect(guard.sweep()).toBe(1);
    expect(await closed).toBe('io server disconnect');
    expect(b.socket.connected).toBe(true);
    a.close();
    b.close();
  });
});
