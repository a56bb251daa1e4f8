/**
 * Fuzzing the `/live` socket boundary at 10k cases over real socket.io connections: a screen whose token is
 * scoped to district A sends hostile `subscribe` requests (wrong types, malformed and out-of-scope area codes,
 * bad `sinceSeq`), unknown event names and oversized frames. Every subscribe is refused with `invalid` (naming the
 * field) or `forbidden`, no snapshot or batch of another area ever reaches it, nothing is stored, and the server
 * keeps serving.
 */
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response, SubscribeResult } from '../../protocol/live';
import { UserDirectory } from '../../server/auth/users';
import { DISTRICT_A, DISTRICT_B, gridsOf } from '../server/helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from '../server/helpers/test-server';

const RUNS = 10_000;
/** the relay refuses more than 20 subscribes per 10 s on one socket; a fresh screen takes over before that */
const CASES_PER_SOCKET = 19;

const inScope = fc.constantFrom(DISTRICT_A, `${DISTRICT_A}001`, `${DISTRICT_A}001001`, ...gridsOf(DISTRICT_A));
const outOfScope = fc.oneof(
  fc.constantFrom('city', DISTRICT_B, `${DISTRICT_B}001`, ...gridsOf(DISTRICT_B), '530100', '110101', '530102'.slice(0, 4)),
  // any other well-formed code that does not start with district A
  fc.stringMatching(/^\d{6}(\d{3}){0,3}$/).filter((code) => !code.startsWith(DISTRICT_A) && !(DISTRICT_A.startsWith(code) && code.length >= 6 && code === DISTRICT_A)),
);
const malformedArea = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => !/^(city|\d{6}(\d{3}){0,3})$/.test(s)),
  fc.constantFrom('', ' ', 'CITY', '5301020', '53010200', '530102%', '530102;DROP TABLE events', '../../etc/passwd', '\u0000', '530102'.padEnd(1000, '1')),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const badSinceSeq = fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true, noNaN: true }), fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.constant(1e300));

/** Requests that must all be refused. */
const hostileSubscribe: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || !('area' in v)),
  fc.record({ area: malformedArea }, { requiredKeys: [] }),
  fc.record({ area: outOfScope, sinceSeq: fc.option(fc.nat(), { nil: undefined }) }, { requiredKeys: ['area'] }),
  fc.record({ area: inScope, sinceSeq: badSinceSeq }),
);

describe('fuzzing socket messages from screens', () => {
  let t: TestServer;
  let token: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-socket-fuzz-'));
    token = UserDirectory.open(dataDir).upsert({ name: 'wall-a', role: 'screen', scope: [DISTRICT_A] }).token as string;
    t = await startTestServer({ dataDir });
    // one incident in each district, so a leak would have something to leak
    const stored = await t.post({ events: [reported(gridsOf(DISTRICT_A)[0] as string), reported(gridsOf(DISTRICT_B)[0] as string)] });
    expect(stored.json.stored).toBe(2);
  });
  afterAll(async () => {
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`refuses ${RUNS} hostile subscribes with invalid (naming the field) or forbidden, and leaks no other area`, async () => {
    const head = await t.store.headSeq();
    let screen: Screen | undefined;
    let used = CASES_PER_SOCKET;
    const screens: Screen[] = [];
    await fc.assert(
      fc.asyncProperty(hostileSubscribe, fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.anything({ maxDepth: 1 })), { nil: undefined }), async (request, stray) => {
        if (used >= CASES_PER_SOCKET) {
          screen?.close();
          screen = new Screen(t.url, token);
          screens.push(screen);
          await screen.connected();
          used = 0;
        }
        used++;
        const live = screen as Screen;
        // an event name the server does not know, with any payload: ignored
        if (stray && !['subscribe', 'connect', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(stray[0])) {
          (live.socket as unknown as { emit(name: string, payload: unknown): void }).emit(stray[0], stray[1]);
        }
        const ack = (await (live.socket as unknown as { emitWithAck(name: string, payload: unknown): Promise<Response<SubscribeResult>> }).emitWithAck('subscribe', request));
        expect(ack.ok).toBe(false);
        if (ack.ok) return;
        expect(['invalid', 'forbidden']).toContain(ack.error.code);
        expect(ack.error.message.length).toBeGreaterThan(0);
        if (ack.error.code === 'invalid') expect(ack.error.field?.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
    screen?.close();
    // Not one snapshot or batch reached a screen whose every subscribe was refused.
    expect(screens.flatMap((s) => s.snapshots)).toEqual([]);
    expect(screens.flatMap((s) => s.events)).toEqual([]);
    expect(await t.store.headSeq()).toBe(head);
  }, 240_000);

  it('drops a socket that sends an oversized frame, and keeps serving the others', async () => {
    const bystander = new Screen(t.url, token);
    await bystander.connected();
    expect((await bystander.subscribe(DISTRICT_A)).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 70_000, max: 400_000 }), fc.constantFrom('subscribe', 'events', 'x'), async (size, name) => {
        const attacker = new Screen(t.url, token);
        await attacker.connected();
        const closed = new Promise<string>((resolve) => attacker.socket.once('disconnect', (reason) => resolve(reason)));
        (attacker.socket as unknown as { emit(n: string, p: unknown): void }).emit(name, { area: 'x'.repeat(size) });
        expect(await closed).toMatch(/transport/);
        attacker.close();
      }),
      { numRuns: 20 },
    );
    expect(bystander.socket.connected).toBe(true);
    expect((await bystander.subscribe(`${DISTRICT_A}001`)).ok).toBe(true);
    bystander.close();
  }, 60_000);
});
