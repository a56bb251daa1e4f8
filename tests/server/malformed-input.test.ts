/**
 * Property-based: broken payloads are answered 4xx (or 200 with every event rejected), the answer names the field,
 * nothing is stored, and the server keeps serving. fast-check runs 360 cases in total.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALIDATION_CODES } from '../../protocol/events';
import { REFUSAL_CODES } from '../../protocol/transition';
import { DISTRICT_A, gridsOf } from './helpers/tiny-city';
import { reported, startTestServer, type TestServer } from './helpers/test-server';

const RUNS = 60;
const gridA = gridsOf(DISTRICT_A)[0] as string;
type Json = Record<string, unknown>;
/** Every code a refusal may carry: a client words each in its own language (client/desk/error-text.ts). */
const CODES: readonly string[] = [...REFUSAL_CODES, ...VALIDATION_CODES];
type AnswerError = { field: string; reason: string; code?: string; params?: Record<string, string> };

interface Answer {
  status: number;
  body: { stored?: number; acks?: Array<{ status: string; errors?: AnswerError[] }>; error?: { code: string; fields?: AnswerError[] } };
}

describe('malformed input', () => {
  let t: TestServer;
  let knownIncident: string;
  let storedEvent: Json;

  const send = async (body: string): Promise<Answer> => {
    const res = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ingestKey}` },
      body,
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };

  /** Every event rejected (or a duplicate) with a named field, or a 4xx naming one; the log unchanged. */
  const expectRefused = async (answer: Answer, headBefore: number, field?: RegExp) => {
    expect(await t.store.headSeq()).toBe(headBefore);
    if (answer.status === 200) {
      expect(answer.body.stored ?? 0).toBe((answer.body.acks ?? []).filter((a) => a.status === 'stored').length);
      for (const ack of answer.body.acks ?? []) {
        if (ack.status === 'stored') continue; // only duplicates can be "stored" here: the head did not move
        expect(ack.errors?.length).toBeGreaterThan(0);
        for (const error of ack.errors ?? []) {
          expect(error.field).toMatch(/^events\[\d+\]/);
          expect(CODES, `a stable code for ${error.field}: ${error.reason}`).toContain(error.code);
        }
        if (field) expect(ack.errors?.some((e) => field.test(e.field))).toBe(true);
      }
    } else {
      expect([400, 413, 415]).toContain(answer.status);
      expect(answer.body.error?.fields?.length).toBeGreaterThan(0);
      for (const error of answer.body.error?.fields ?? []) expect(CODES, `a stable code for ${error.field}: ${error.reason}`).toContain(error.code);
      if (field) expect(answer.body.error?.fields?.some((e) => field.test(e.field))).toBe(true);
    }
  };

  beforeAll(async () => {
    t = await startTestServer();
    const event = reported(gridA);
    storedEvent = event as unknown as Json;
    knownIncident = event.type === 'incident.reported' ? event.incident.id : '';
    const { json } = await t.post({ events: [event] });
    expect(json.stored).toBe(1);
  });
  afterAll(async () => {
    // The server keeps serving after all of it.
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    await t.close();
  });

  const validEvent = () => reported(gridA) as unknown as Json;
  const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
  /** A value of the wrong type for the field at `path` (numbers are only wrong where a string belongs, and v.v.). */
  const wrongValueFor = (path: string[]) =>
    path[1] === 'location' && path.length === 3 ? fc.oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null)) : notString;

  it('wrong types in any field are rejected naming that field', async () => {
    const paths = [['id'], ['type'], ['at'], ['crs'], ['incident'], ['incident', 'id'], ['incident', 'location'], ['incident', 'category'], ['incident', 'channel'], ['incident', 'priority'], ['incident', 'location', '0'], ['incident', 'location', '1']];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths).chain((path) => fc.tuple(fc.constant(path), wrongValueFor(path))), async ([path, value]) => {
        const event = validEvent();
        let target = event as Json;
        for (const key of path.slice(0, -1)) target = target[key] as Json;
        const last = path[path.length - 1] as string;
        const original = target[last];
        fc.pre(JSON.stringify(original) !== JSON.stringify(value));
        target[last] = value;
        const head = await t.store.headSeq();
        const answer = await send(JSON.stringify({ events: [event] }));
        const where = path.slice(0, -1).join('.') + (path.length > 1 ? '.' : '') + last;
        await expectRefused(answer, head, new RegExp(`^events\\[0\\]\\.${where.replace(/\.(\d)/g, '[$1]').replace(/[.[\]]/g, '\\$&')}`));
        // in the project's words ("must be a number, not a string"), never zod's ("Invalid input: expected …")
        const reasons = [...(answer.body.acks ?? []).flatMap((ack) => ack.errors ?? []), ...(answer.body.error?.fields ?? [])].map((e) => e.reason);
        expect(reasons.length).toBeGreaterThan(0);
        expect(reasons.filter((reason) => /^(Invalid|Too (big|small))\b/.test(reason))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('missing required fields are rejected naming them', async () => {
    const required = [['id'], ['type'], ['at'], ['incident'], ['incident', 'id'], ['incident', 'location'], ['incident', 'category'], ['incident', 'channel']];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...required), fc.integer({ min: 0, max: 3 }), async (path, extra) => {
        const events = Array.from({ length: extra }, validEvent).map((e) => ({ ...e, id: `dup-guard-${Math.random()}` }));
        const broken = validEvent();
        let target = broken;
        for (const key of path.slice(0, -1)) target = target[key] as Json;
        delete target[path[path.length - 1] as string];
        // Only the broken event is sent with its siblings rejected by a shared bad batch crs, so nothing is stored.
        const head = await t.store.headSeq();
        const answer = await send(JSON.stringify({ crs: 'nope', events: [...events, broken] }));
        expect(answer.status).toBe(400);
        await expectRefused(answer, head, /^crs$/);
        const alone = await send(JSON.stringify({ events: [broken] }));
        await expectRefused(alone, head, new RegExp(`^events\\[0\\]\\.${path[0] === 'type' ? 'type' : path.join('\\.')}`));
        // the reason says so plainly (not zod's "expected string, received undefined"); a missing type has no schema
        // to check the rest against, and says which types there are instead
        if (path[0] !== 'type') {
          const reasons = (alone.body.acks?.[0]?.errors ?? []).filter((e) => e.field === `events[0].${path.join('.')}`).map((e) => e.reason);
          expect(reasons).toEqual(['is required']);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('NaN, Infinity and out-of-range coordinates are rejected naming the coordinate', async () => {
    const bad = fc.oneof(
      fc.constantFrom('1e999', '-1e999', '1e400'),
      fc.double({ min: 180.000001, max: 1e9, noNaN: true }).map(String),
      fc.double({ min: -1e9, max: -180.000001, noNaN: true }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(bad, fc.constantFrom(0, 1), fc.boolean(), async (text, axis, asNaNLiteral) => {
        const event = validEvent();
        const placeholder = '"__COORD__"';
        (event.incident as Json).location = axis === 0 ? ['__COORD__', 25.035] : [102.705, '__COORD__'];
        const raw = JSON.stringify({ events: [event] }).replace(placeholder, asNaNLiteral ? 'NaN' : text);
        const head = await t.store.headSeq();
        const answer = await send(raw);
        if (asNaNLiteral) {
          expect(answer.status).toBe(400); // NaN is not JSON at all
          await expectRefused(answer, head, /^\(body\)$/);
        } else {
          await expectRefused(answer, head, new RegExp(`^events\\[0\\]\\.incident\\.location\\[${axis}\\]$`));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('points outside every grid are rejected with the reason', async () => {
    const outside = fc.oneof(
      fc.tuple(fc.double({ min: -180, max: 102.69, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })),
      fc.tuple(fc.double({ min: 102.75, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })),
    );
    await fc.assert(
      fc.asyncProperty(outside, async (location) => {
        const event = validEvent();
        (event.incident as Json).location = location;
        const head = await t.store.headSeq();
        const answer = await send(JSON.stringify({ events: [event] }));
        await expectRefused(answer, head, /^events\[0\]\.incident\.location$/);
        expect(answer.body.acks?.[0]?.errors?.[0]).toMatchObject({ reason: expect.stringMatching(/outside every grid/), code: 'outside_grids' });
      }),
      { numRuns: RUNS },
    );
  });

  it('unknown types, illegal transitions, huge strings and duplicate ids store nothing new', async () => {
    const cases = fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.startsWith('incident.') && !s.startsWith('department.')).map((type) => ({ kind: 'type', event: { ...validEvent(), type } })),
      fc.constantFrom('incident.started', 'incident.closed', 'incident.resolved', 'incident.rated', 'incident.verified').map((type) => ({
        kind: 'transition',
        event: { id: `ill-${type}-${Math.random()}`, type, at: new Date().toISOString(), incidentId: knownIncident, ...(type === 'incident.rated' ? { satisfaction: 5 } : {}), ...(type === 'incident.verified' ? { passed: true } : {}) },
      })),
      fc.constantFrom('title', 'description', 'address').chain((field) =>
        fc.integer({ min: 4001, max: 20_000 }).map((n) => ({ kind: 'huge', event: { ...validEvent(), incident: { ...(validEvent().incident as Json), [field]: '网'.repeat(n) } } })),
      ),
      fc.constant(null).map(() => ({ kind: 'duplicate', event: { ...storedEvent, at: new Date().toISOString() } })),
      fc.constant(null).map(() => ({ kind: 'unknown-incident', event: { id: `x-${Math.random()}`, type: 'incident.registered', at: new Date().toISOString(), incidentId: 'no-such-incident' } })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ kind, event }) => {
        const head = await t.store.headSeq();
        const answer = await send(JSON.stringify({ events: [event] }));
        const expected: Record<string, RegExp | undefined> = {
          type: /^events\[0\]\.type$/,
          transition: /^events\[0\]/,
          huge: /^events\[0\]\.incident\.(title|description|address)$/,
          duplicate: undefined,
          'unknown-incident': /^events\[0\]\.incidentId$/,
        };
        await expectRefused(answer, head, expected[kind]);
        if (kind === 'duplicate') expect(answer.body.acks?.[0]).toMatchObject({ status: 'stored', duplicate: true, seq: 1 });
      }),
      { numRuns: RUNS },
    );
  });

  it("answers the ingest's own checks with a stable code and the values it names", async () => {
    // Beyond the schema: department codes and levels, a time too far ahead, a point in no grid, an unknown case.
    const at = new Date().toISOString();
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const head = await t.store.headSeq();
    const answer = await send(
      JSON.stringify({
        events: [
          { id: 'own-1', type: 'incident.dispatched', at, incidentId: knownIncident, departments: ['no-such-department'] },
          { id: 'own-1b', type: 'incident.dispatched', at, incidentId: knownIncident, departments: [`${DISTRICT_A}-public-security`, `${DISTRICT_A}-public-security`] },
          { id: 'own-2', type: 'incident.whistled', at, incidentId: knownIncident, whistleId: 'w-own', tier: 'community', whistleType: 'routine', departments: [`${DISTRICT_A}-public-security`] },
          { id: 'own-3', type: 'department.reported', at, incidentId: knownIncident, whistleId: 'w-own', department: 'nowhere', stage: 'acknowledged' },
          { ...validEvent(), id: 'own-4', at: ahead },
          { ...validEvent(), id: 'own-5', incident: { ...(validEvent().incident as Json), location: [100, 30] } },
          { id: 'own-6', type: 'incident.registered', at, incidentId: 'no-such-incident' },
        ],
      }),
    );
    await expectRefused(answer, head);
    const first = (i: number) => answer.body.acks?.[i]?.errors?.[0];
    expect(first(0)).toMatchObject({ field: 'events[0].departments[0]', code: 'unknown_department', params: { department: 'no-such-department' } });
    expect(first(1)).toMatchObject({ field: 'events[1].departments', code: 'repeated' });
    expect(first(2)).toMatchObject({
      field: 'events[2].departments[0]',
      code: 'wrong_department_level',
      params: { department: `${DISTRICT_A}-public-security`, level: 'district', tier: 'community', summoned: 'street' },
    });
    expect(first(3)).toMatchObject({ field: 'events[3].department', code: 'unknown_department', params: { department: 'nowhere' } });
    expect(first(4)).toMatchObject({ field: 'events[4].at', code: 'too_far_ahead', params: { minutes: '15' } });
    expect(first(5)).toMatchObject({ field: 'events[5].incident.location', code: 'outside_grids', params: { lon: '100.000000', lat: '30.000000' } });
    expect(first(6)).toMatchObject({ field: 'events[6].incidentId', code: 'unknown_incident', params: { incident: 'no-such-incident' } });
  });

  it('bodies that are not a batch are answered 4xx naming the problem', async () => {
    const envelopes = fc.oneof(
      fc.constantFrom('', '{', 'null', '[]', '"events"', '{"events": 5}', '{"events": []}', '{"events": {}}', '{"crs": "utm", "events": [{}]}'),
      fc.integer({ min: 1001, max: 1500 }).map((n) => JSON.stringify({ events: Array.from({ length: n }, () => ({})) })),
      fc.constant(JSON.stringify({ events: [{ ...validEvent(), note: 'x'.repeat(1_100_000) }] })),
    );
    await fc.assert(
      fc.asyncProperty(envelopes, async (raw) => {
        const head = await t.store.headSeq();
        const answer = await send(raw);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        await expectRefused(answer, head);
      }),
      { numRuns: RUNS },
    );
  });
});
