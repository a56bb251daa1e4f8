/**
 * Fuzzing officer login at 10k cases over real HTTP: junk bodies, wrong types, empty and oversized names and
 * passwords, malformed JSON, wrong content types, and well-formed but wrong credentials. Each is answered 400
 * naming the field (or the body), 401, or 415, never with a session cookie; the log is untouched and the server
 * keeps serving. The login limit (20 per minute per address) is real here: the cases are spread over loopback
 * source addresses (127.0.x.y), at most 19 from each.
 */
import fc from 'fast-check';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/helpers/test-server';

const RUNS = 10_000;
const PER_ADDRESS = 19;

interface Answer {
  status: number;
  setCookie: string[] | undefined;
  body: { error?: { code: string; message: string; fields?: Array<{ field: string; reason: string }> } };
}

/** POST from a chosen loopback source address, over that address's keep-alive agent. */
function post(port: number, agent: http.Agent, body: string, contentType: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/login', method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'], body: JSON.parse(text) as Answer['body'] });
        } catch (err) {
          reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)} ${String(err)}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const badName = fc.oneof(wrongType, fc.constant(''), fc.string({ minLength: 65, maxLength: 300 }));
const badPassword = fc.oneof(wrongType, fc.constant(''), fc.string({ minLength: 257, maxLength: 2000 }));
const okName = fc.oneof(fc.constant('admin'), fc.string({ minLength: 1, maxLength: 64 }));
const okPassword = fc.string({ minLength: 1, maxLength: 256 });

/** [body text, content type, what must happen] */
type Case = { body: string; type: string; expect: 'invalid' | 'wrong-credentials' | 'media-type' };
const loginCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 60, arbitrary: fc.record({ name: badName, password: fc.oneof(okPassword, badPassword) }, { requiredKeys: [] }).map((b) => ({ body: JSON.stringify(b), type: 'application/json', expect: 'invalid' as const })) },
  { weight: 60, arbitrary: fc.record({ name: okName, password: badPassword }, { requiredKeys: ['name'] }).map((b) => ({ body: JSON.stringify(b), type: 'application/json', expect: 'invalid' as const })) },
  { weight: 30, arbitrary: fc.anything({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => ({ body: JSON.stringify(v) ?? 'null', type: 'application/json', expect: 'invalid' as const })) },
  { weight: 30, arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ body: `{"name": ${s}`, type: 'application/json', expect: 'invalid' as const })) },
  { weight: 16, arbitrary: fc.tuple(fc.record({ name: okName, password: okPassword }), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded')).map(([b, type]) => ({ body: JSON.stringify(b), type, expect: 'media-type' as const })) },
  // well-formed, wrong: each costs a real scrypt check, so they are a small share
  { weight: 1, arbitrary: fc.record({ name: okName, password: okPassword }).map((b) => ({ body: JSON.stringify(b), type: 'application/json', expect: 'wrong-credentials' as const })) },
);

describe('fuzzing login', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    await t.close();
  });

  it(`refuses ${RUNS} hostile logins naming the problem, and never opens a session`, async () => {
    const head = await t.store.headSeq();
    let n = 0;
    let agent: { address: string; agent: http.Agent } | undefined;
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(loginCase, async (c) => {
        const slot = Math.floor(n++ / PER_ADDRESS) + 2;
        const address = `127.0.${Math.floor(slot / 250)}.${(slot % 250) + 2}`;
        if (agent?.address !== address) {
          agent?.agent.destroy();
          agent = { address, agent: new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: address }) };
        }
        const answer = await post(t.port, agent.agent, c.body, c.type);
        codes.set(answer.status, (codes.get(answer.status) ?? 0) + 1);
        expect(answer.setCookie).toBeUndefined();
        expect(answer.body.error?.message.length).toBeGreaterThan(0);
        if (c.expect === 'wrong-credentials') {
          expect(answer.status).toBe(401);
        } else if (c.expect === 'media-type') {
          // a body that is not JSON is not parsed: the schema then names the missing fields
          expect([400, 415]).toContain(answer.status);
        } else {
          expect(answer.status).toBe(400);
          const fields = answer.body.error?.fields ?? [];
          expect(fields.length).toBeGreaterThan(0);
          for (const f of fields) expect(f.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
    agent?.agent.destroy();
    expect(codes.get(429)).toBeUndefined();
    expect(await t.store.headSeq()).toBe(head);
  }, 240_000);
});
