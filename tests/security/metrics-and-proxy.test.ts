/**
 * What docs/security.md claims about `/metrics` and running behind a TLS proxy:
 * - METRICS_TOKEN unset: `/metrics` is open on a loopback bind (the demo) and refused on any other bind;
 * - METRICS_TOKEN set: `/metrics` needs `Authorization: Bearer <it>`, on loopback too; a wrong token is refused;
 * - TRUST_PROXY is validated (a bad value names the variable) and, when the proxy is trusted, a login over
 *   `X-Forwarded-Proto: https` gets a `Secure` session cookie; an untrusted peer's header is ignored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../../server/auth/users';
import { ConfigError, loadConfig } from '../../server/config';
import { DISTRICT_A } from '../server/helpers/tiny-city';
import { startTestServer, type TestServer } from '../server/helpers/test-server';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('is open on a loopback bind without METRICS_TOKEN', async () => {
    const t = await startTestServer();
    servers.push(t);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/gridwatch_ingest_events_total/);
  });

  it('needs the bearer token once METRICS_TOKEN is set, on loopback too', async () => {
    const t = await startTestServer({ env: { METRICS_TOKEN } });
    servers.push(t);
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/METRICS_TOKEN/);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toMatch(/gridwatch_/);
    // the ingest key is not a metrics token
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.ingestKey}` } })).status).toBe(401);
    const right = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toMatch(/gridwatch_connected_screens/);
  });

  it('is refused on a non-loopback bind without METRICS_TOKEN, and open to its bearer with it', async () => {
    const closed = await startTestServer({ env: { HOST: '0.0.0.0', SCREEN_TOKEN: 'screen-token-0123456789abcdef' } });
    servers.push(closed);
    const refused = await fetch(`${closed.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/non-loopback bind need METRICS_TOKEN/);
    // health stays open for load balancers
    expect((await fetch(`${closed.url}/api/v1/health`)).status).toBe(200);

    const open = await startTestServer({ env: { HOST: '0.0.0.0', SCREEN_TOKEN: 'screen-token-0123456789abcdef', METRICS_TOKEN } });
    servers.push(open);
    expect((await fetch(`${open.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${open.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
  });

  it('METRICS_TOKEN shorter than 16 characters stops the start, naming it', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
  });
});

describe('TRUST_PROXY', () => {
  it('accepts off, on, hop counts and address lists, and names itself on a bad value', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8 ,192.168.1.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
    for (const bad of ['nginx', '10.0.0.0/33', '300.1.1.1', 'loopback,,x', '1000']) {
      let error: unknown;
      try {
        loadConfig({ TRUST_PROXY: bad });
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['TRUST_PROXY']);
    }
    expect(() => loadConfig({ TRUST_PROXY: 'nginx' })).toThrow(/TRUST_PROXY: "nginx" is not loopback, linklocal, uniquelocal, an IP address or a CIDR subnet/);
  });

  describe('the session cookie behind a TLS-terminating proxy', () => {
    let dataDir: string;
    const password = 'officer-a-password-123';
    const servers: TestServer[] = [];
    beforeAll(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-proxy-'));
      UserDirectory.open(dataDir).upsert({ name: 'officer-a', role: 'officer', scope: [DISTRICT_A], password });
    });
    afterAll(async () => {
      for (const server of servers) await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    const login = (t: TestServer, headers: Record<string, string>) =>
      fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'officer-a', password }) });

    it('is Secure when the trusted proxy says https, and not over plain http', async () => {
      const t = await startTestServer({ dataDir, env: { TRUST_PROXY: 'loopback' } });
      servers.push(t);
      const overTls = await login(t, { 'x-forwarded-proto': 'https' });
      expect(overTls.status).toBe(200);
      expect(overTls.headers.get('set-cookie')).toMatch(/; Secure/);
      const plain = await login(t, { 'x-forwarded-proto': 'http' });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    });

    it('ignores X-Forwarded-Proto from a peer that is not trusted (the default)', async () => {
      const t = await startTestServer({ dataDir });
      servers.push(t);
      const res = await login(t, { 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).not.toMatch(/Secure/);
      // trusted, but not this peer: 10.0.0.0/8 does not include 127.0.0.1
      const other = await startTestServer({ dataDir, env: { TRUST_PROXY: '10.0.0.0/8' } });
      servers.push(other);
      const notTrusted = await login(other, { 'x-forwarded-proto': 'https' });
      expect(notTrusted.headers.get('set-cookie')).not.toMatch(/Secure/);
    });
  });
});
