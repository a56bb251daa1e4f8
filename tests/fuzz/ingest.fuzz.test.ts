/**
 * Fuzzing the ingest boundary at 10k cases, in process (`server.ingest` is the same validation path as
 * POST /api/v1/events, minus HTTP): whole-body junk, and valid events with one field made hostile (wrong types,
 * huge strings, NaN/Infinity/out-of-range/outside-every-grid locations, unknown types and catalogue entries,
 * lifecycle events for unknown incidents, prototype-pollution keys). Every case is refused with a 4xx or per-event
 * errors that name the field, the log's head never moves, and the process keeps serving. A further 1,000 raw
 * bodies go over real HTTP, where body parsing, content type and size limits answer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http/errors';
import { DISTRICT_A, gridsOf } from '../server/helpers/tiny-city';
import { reported, startTestServer, type TestServer } from '../server/helpers/test-server';

const RUNS = 10_000;
type Json = Record<string, unknown>;
const gridA = gridsOf(DISTRICT_A)[0] as string;
const LIFECYCLE = ['incident.registered', 'incident.dispatched', 'incident.started', 'incident.resolved', 'incident.verified', 'incident.closed', 'incident.cancelled', 'incident.whistled', 'department.reported', 'incident.rated', 'incident.supervised'];

const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const notNumber = fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 }));
const huge = fc.integer({ min: 10_000, max: 200_000 }).map((n) => 'x'.repeat(n));
/** Locations that are never a valid point inside the tiny city. */
const badLocation = fc.oneof(
  fc.array(notNumber, { minLength: 2, maxLength: 2 }),
  fc.array(fc.double({ min: -170, max: 170, noNaN: true }), { minLength: 0, maxLength: 5 }).filter((a) => a.length !== 2),
  fc.tuple(fc.constantFrom(Number.NaN, Infinity, -Infinity, 181, -181, 1e308), fc.double({ min: -90, max: 90, noNaN: true })),
  fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.constantFrom(Number.NaN, 91, -91, 1e308)),
  // real coordinates, outside every grid of the tiny city (it spans 102.70–102.74 E, 25.03–25.05 N)
  fc.tuple(fc.double({ min: -180, max: 102.69, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })),
  fc.constant('102.7,25.03'),
  notString,
);

/** A hostile value for one field of an otherwise valid new incident: [path, value]. */
const hostileField = fc.oneof(
  fc.tuple(fc.constant(['id']), fc.oneof(notString, fc.constant(''), huge)),
  fc.tuple(fc.constant(['type']), fc.oneof(notString, fc.string({ maxLength: 30 }).filter((s) => s !== 'incident.reported'))),
  fc.tuple(fc.constant(['at']), fc.oneof(notString, fc.string({ maxLength: 30 }).filter((s) => !/^\d{4}-\d\d-\d\d/.test(s)), fc.constant('2026-13-45T99:99:99Z'))),
  fc.tuple(fc.constant(['crs']), fc.oneof(notString, fc.string({ maxLength: 12 }).filter((s) => !['wgs84', 'cgcs2000', 'gcj02', 'bd09'].includes(s)))),
  fc.tuple(fc.constant(['incident']), fc.oneof(notString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)), fc.constant({}))),
  fc.tuple(fc.constant(['incident', 'id']), fc.oneof(notString, fc.constant(''), huge)),
  fc.tuple(fc.constant(['incident', 'location']), badLocation),
  fc.tuple(fc.constant(['incident', 'category']), fc.oneof(notString, fc.string({ maxLength: 20 }).map((s) => `zz-${s}`))),
  fc.tuple(fc.constant(['incident', 'channel']), fc.oneof(notString, fc.string({ maxLength: 20 }).map((s) => `zz-${s}`))),
  fc.tuple(fc.constant(['incident', 'description']), fc.oneof(notString, huge)),
);

function withField(path: readonly string[], value: unknown): Json {
  const event = reported(gridA) as unknown as Json;
  let target = event;
  for (const key of path.slice(0, -1)) target = target[key] as Json;
  target[path[path.length - 1] as string] = value;
  return event;
}

/** Any event the fuzzer sends: each is invalid on its own. */
const hostileEvent: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileField.map(([path, value]) => withField(path, value)) },
  { weight: 1, arbitrary: fc.anything() },
  {
    weight: 2,
    arbitrary: fc.record({
      id: fc.uuid().map((u) => `fz-${u}`),
      type: fc.constantFrom(...LIFECYCLE),
      at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      incidentId: fc.uuid().map((u) => `unknown-${u}`),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => JSON.parse(`{"${key}": {"polluted": true}, "id": 5}`) as unknown),
  },
);

/** Whole bodies: junk envelopes, and well-formed envelopes of hostile events. */
const hostileBody = fc.oneof(
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.record({ crs: fc.oneof(notString, fc.constant('mercator')), events: fc.array(hostileEvent, { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ events: fc.oneof(notString, fc.constant([]), fc.constant(Array.from({ length: 1001 }, () => ({})))) }) },
  { weight: 6, arbitrary: fc.record({ events: fc.array(hostileEvent, { minLength: 1, maxLength: 3 }) }) },
);

describe('fuzzing the ingest API', () => {
  let t: TestServer;
  let head: number;

  beforeAll(async () => {
    // the rate limit is a test of its own (tests/security); here every request must reach validation
    t = await startTestServer({ env: { INGEST_RATE_LIMIT: '1000000' } });
    const { json } = await t.post({ events: [reported(gridA)] });
    expect(json.stored).toBe(1);
    head = await t.store.headSeq();
  });
  afterAll(async () => {
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    expect(await t.store.headSeq()).toBe(head);
    expect(({} as Json).polluted).toBeUndefined();
    await t.close();
  });

  it(`refuses ${RUNS} hostile bodies naming the field, and stores nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (body) => {
        try {
          const response = await t.server.ingest(body);
          expect(response.stored).toBe(0);
          for (const ack of response.acks) {
            expect(ack.status).toBe('rejected');
            if (ack.status !== 'rejected') continue;
            expect(ack.errors.length).toBeGreaterThan(0);
            for (const error of ack.errors) {
              expect(error.field).toMatch(/^events\[\d+\]/);
              expect(error.reason.length).toBeGreaterThan(0);
            }
          }
        } catch (err) {
          expect(err).toBeInstanceOf(HttpError);
          const httpError = err as HttpError;
          expect(httpError.status).toBeGreaterThanOrEqual(400);
          expect(httpError.status).toBeLessThan(500);
          expect(httpError.fields?.length).toBeGreaterThan(0);
        }
        expect(await t.store.headSeq()).toBe(head);
      }),
      { numRuns: RUNS },
    );
  }, 240_000);

  it('answers 1,000 raw hostile HTTP bodies with a 4xx JSON error naming the problem', async () => {
    const rawBody = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ maxLength: 50 }).map((s) => `{"events": [${s}`),
      fc.constantFrom('', 'null', '[]', '"events"', '{"events": null}', '{"events": [1,2,3]'),
      fc.constant(`{"events": ["${'y'.repeat(1_100_000)}"]}`),
    );
    const contentType = fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/geo+json');
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        const res = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${t.ingestKey}` }, body });
        const json = (await res.json()) as { stored?: number; error?: { code: string; message: string; fields?: unknown[] } };
        if (res.status === 200) {
          expect(json.stored).toBe(0); // a well-formed envelope of junk events: every event rejected
        } else {
          expect([400, 413, 415]).toContain(res.status);
          expect(json.error?.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1_000 },
    );
    expect(await t.store.headSeq()).toBe(head);
  }, 120_000);
});
