/**
 * Playback carries in the cases open when its range starts (`GET /api/v1/history?format=columns&carry=1`): folded by
 * the tab's PlaybackTimeline, the stream gives at every t of the range the same state as folding the whole log up
 * to t: the same open cases, the same KPIs ("reported today" included), city-wide and for one district. The range's
 * own events alone do not: the cases reported before it are missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentIdOf, type IncomingEvent, type StoredEvent } from '../../protocol/events';
import { HistoryDecoder, type HistoryChunk } from '../../protocol/history-codec';
import { PLAYBACK_FOLD_OPTIONS, type HistoryCount, type HistoryStateAnswer } from '../../protocol/history-api';
import { kpis } from '../../protocol/kpi';
import { fold, restoreSnapshot } from '../../protocol/reducer';
import { shanghaiDay, shanghaiDayStart } from '../../protocol/time';
import { PlaybackTimeline } from '../../client/playback/playback-timeline';
import { CarryCache, carriedEvents } from '../../server/http/history-state';
import { DISTRICT_A, DISTRICT_B, gridCentre, gridsOf } from './helpers/tiny-city';
import { startTestServer, type TestServer } from './helpers/test-server';
import { openIds } from './helpers/open-ids';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const gridA = gridsOf(DISTRICT_A)[0] as string;
const gridB = gridsOf(DISTRICT_B)[1] as string;

/** 00:00 China time three days ago: the day the range lies in. */
const day0 = shanghaiDayStart(shanghaiDay(Date.now()) - 3);
const from = day0 + 6 * HOUR;
const to = day0 + 12 * HOUR;

function cases(): IncomingEvent[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const events: IncomingEvent[] = [];
  const report = (id: string, grid: string, at: number) =>
    events.push({ id: `${id}-r`, type: 'incident.reported', at: iso(at), incident: { id, location: gridCentre(grid), category: 'env.litter', channel: 'grid-patrol' }, crs: 'wgs84' });
  const step = (id: string, type: 'incident.registered' | 'incident.started', at: number) => events.push({ id: `${id}-${type}`, type, incidentId: id, at: iso(at) });
  const dispatch = (id: string, at: number, deadline: number, department: string) =>
    events.push({ id: `${id}-d`, type: 'incident.dispatched', incidentId: id, at: iso(at), departments: [department], deadline: iso(deadline) });
  const cancel = (id: string, at: number) => events.push({ id: `${id}-c`, type: 'incident.cancelled', incidentId: id, at: iso(at), reason: 'duplicate report' });

  // ended two days before: not carried
  report('old', gridA, day0 - 2 * DAY);
  cancel('old', day0 - 2 * DAY + HOUR);
  // open since two days before, dispatched with a deadline that passed the day before: overdue all through the range
  report('backlog', gridA, day0 - 2 * DAY + 2 * HOUR);
  step('backlog', 'incident.registered', day0 - 2 * DAY + 3 * HOUR);
  dispatch('backlog', day0 - 2 * DAY + 4 * HOUR, day0 - DAY, `${DISTRICT_A}-public-security`);
  // open since the day before, silent through the range, ended the day after it
  report('silent', gridB, day0 - DAY + 5 * HOUR);
  cancel('silent', day0 + 2 * DAY);
  // ended 10 minutes before midnight: still a dim dot for a while
  report('late', gridB, day0 - 3 * HOUR);
  cancel('late', day0 - 10 * MIN);
  // reported and ended on the day, before the range: counts in "reported today"
  report('morning', gridA, day0 + HOUR);
  cancel('morning', day0 + 2 * HOUR);
  // reported on the day before the range, open into it, then worked on inside it
  report('carried', gridB, day0 + 3 * HOUR);
  step('carried', 'incident.registered', day0 + 7 * HOUR);
  // closed the day before, rated inside the range (the rating counts in that day's satisfaction)
  report('rated-late', gridA, day0 - DAY);
  step('rated-late', 'incident.registered', day0 - DAY + 10 * MIN);
  dispatch('rated-late', day0 - DAY + 20 * MIN, day0 - DAY + 8 * HOUR, `${DISTRICT_A}-public-security`);
  step('rated-late', 'incident.started', day0 - DAY + HOUR);
  events.push({ id: 'rated-late-resolved', type: 'incident.resolved', incidentId: 'rated-late', at: iso(day0 - DAY + 2 * HOUR) });
  events.push({ id: 'rated-late-verified', type: 'incident.verified', incidentId: 'rated-late', at: iso(day0 - DAY + 3 * HOUR), passed: true });
  events.push({ id: 'rated-late-closed', type: 'incident.closed', incidentId: 'rated-late', at: iso(day0 - DAY + 4 * HOUR) });
  events.push({ id: 'rated-late-rated', type: 'incident.rated', incidentId: 'rated-late', at: iso(day0 + 7 * HOUR), satisfaction: 5 });
  // inside the range
  report('inside', gridA, day0 + 8 * HOUR);
  step('inside', 'incident.registered', day0 + 9 * HOUR);
  report('inside-b', gridB, day0 + 10 * HOUR);
  cancel('inside-b', day0 + 11 * HOUR);
  return events;
}


async function timelineOf(res: Response): Promise<{ timeline: PlaybackTimeline; events: StoredEvent[] }> {
  expect(res.status).toBe(200);
  const decoder = new HistoryDecoder();
  const timeline = new PlaybackTimeline();
  const chunks: HistoryChunk[] = [];
  chunks.push(...decoder.push(new Uint8Array(await res.arrayBuffer())));
  decoder.end();
  const events: StoredEvent[] = [];
  for (const chunk of chunks) events.push(...timeline.add(chunk, decoder.tables));
  return { timeline, events };
}

describe('playback carries in the cases open at the start of its range', () => {
  let t: TestServer;
  let log: StoredEvent[];
  beforeAll(async () => {
    t = await startTestServer({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-carry-')) });
    const { status, json } = await t.post({ events: cases() });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.rejected, JSON.stringify(json).slice(0, 600)).toBe(0);
    log = ((await (await fetch(`${t.url}/api/v1/history?from=0&to=${Date.now()}&limit=50000`)).json()) as { events: StoredEvent[] }).events;
  });
  afterAll(() => t.close());

  /** The whole log folded up to t, as the city stood then. */
  const truthAt = (at: number) => fold(log.filter((e) => Date.parse(e.at) <= at), PLAYBACK_FOLD_OPTIONS);

  it('gives at every t of the range the open cases and KPIs of the whole log folded up to t', async () => {
    const { timeline, events } = await timelineOf(await fetch(`${t.url}/api/v1/history?from=${from}&to=${to}&format=columns&carry=1`));
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(new Set(events.map(incidentIdOf))).not.toContain('old');
    for (const at of [from, from + 30 * MIN, day0 + 7 * HOUR, day0 + 9 * HOUR + MIN, day0 + 11 * HOUR, to]) {
      const truth = truthAt(at);
      const shown = timeline.stateAt(at);
      expect(openIds(shown), new Date(at).toISOString()).toEqual(openIds(truth));
      expect(openIds(truth)).toContain('backlog');
      for (const area of ['city', DISTRICT_A, DISTRICT_B]) expect(kpis(shown, area, at), `${area} at ${new Date(at).toISOString()}`).toEqual(kpis(truth, area, at));
    }
    expect(kpis(timeline.stateAt(from), 'city', from)).toMatchObject({ open: 3, overdue: 1, reportedToday: 2, cancelledToday: 1 });
    // the rating given in the range to a case closed the day before counts
    expect(kpis(timeline.stateAt(to), 'city', to).satisfactionRate).toBe(1);
    // the case that ended 10 minutes before midnight is carried in too (playback shows ended cases for 30 minutes)
    expect(timeline.stateAt(from).incidents.has('late')).toBe(true);
  });

  it('without carry the range misses the cases reported before it', async () => {
    const { timeline } = await timelineOf(await fetch(`${t.url}/api/v1/history?from=${from}&to=${to}&format=columns`));
    expect(openIds(timeline.stateAt(from))).toEqual([]);
    expect(openIds(truthAt(from))).toEqual(['backlog', 'carried', 'silent']);
  });

  it('carries in only the area asked for', async () => {
    const { timeline, events } = await timelineOf(await fetch(`${t.url}/api/v1/history?from=${from}&to=${to}&area=${DISTRICT_A}&format=columns&carry=1`));
    expect(events.every((e) => e.grid.startsWith(DISTRICT_A))).toBe(true);
    expect(openIds(timeline.stateAt(from))).toEqual(['backlog']);
    expect(kpis(timeline.stateAt(to), DISTRICT_A, to)).toEqual(kpis(truthAt(to), DISTRICT_A, to));
  });

  it('windowed playback: the server\'s state at t carries in the same cases, and the count includes the carried events', async () => {
    for (const at of [from, day0 + 9 * HOUR + MIN, to]) {
      const res = await fetch(`${t.url}/api/v1/history/state?from=${from}&at=${at}&carry=1`);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as HistoryStateAnswer;
      const state = restoreSnapshot(answer.state);
      expect(openIds(state)).toEqual(openIds(truthAt(at)));
      expect(kpis(state, 'city', at)).toEqual(kpis(truthAt(at), 'city', at));
    }
    const plain = (await (await fetch(`${t.url}/api/v1/history/state?from=${from}&at=${from}`)).json()) as HistoryStateAnswer;
    expect(openIds(restoreSnapshot(plain.state))).toEqual([]);

    const { events } = await timelineOf(await fetch(`${t.url}/api/v1/history?from=${from}&to=${to}&format=columns&carry=1`));
    const count = async (carry: string) => ((await (await fetch(`${t.url}/api/v1/history/count?from=${from}&to=${to}${carry}`)).json()) as HistoryCount).atMost;
    expect(await count('&carry=1')).toBeGreaterThanOrEqual(events.length);
    expect(await count('&carry=1')).toBeGreaterThan(await count(''));
  });

  it('refuses carry with a page position or outside the columns format, naming the field', async () => {
    for (const query of [`format=columns&carry=1&afterSeq=3`, `format=columns&carry=1&limit=10`, `carry=1`, `format=columns&carry=yes`]) {
      const res = await fetch(`${t.url}/api/v1/history?from=${from}&to=${to}&${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(await res.json()), query).toContain('carry');
    }
  });
});

describe('the carried-in cases are read once per day and area, then kept up to date from the log', () => {
  let t: TestServer;
  const iso = (ms: number) => new Date(ms).toISOString();
  beforeAll(async () => {
    t = await startTestServer({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-carry-cache-')) });
    // besides the cases above, one closed the day before and untouched since: not carried in, until rated
    const closedEarly: IncomingEvent[] = [
      { id: 'ce-r', type: 'incident.reported', at: iso(day0 - DAY), incident: { id: 'closed-early', location: gridCentre(gridA), category: 'env.litter', channel: 'grid-patrol' }, crs: 'wgs84' },
      { id: 'ce-g', type: 'incident.registered', incidentId: 'closed-early', at: iso(day0 - DAY + 10 * MIN) },
      { id: 'ce-d', type: 'incident.dispatched', incidentId: 'closed-early', at: iso(day0 - DAY + 20 * MIN), departments: [`${DISTRICT_A}-public-security`], deadline: iso(day0 - DAY + 8 * HOUR) },
      { id: 'ce-s', type: 'incident.started', incidentId: 'closed-early', at: iso(day0 - DAY + HOUR) },
      { id: 'ce-v', type: 'incident.resolved', incidentId: 'closed-early', at: iso(day0 - DAY + 2 * HOUR) },
      { id: 'ce-p', type: 'incident.verified', incidentId: 'closed-early', at: iso(day0 - DAY + 3 * HOUR), passed: true },
      { id: 'ce-c', type: 'incident.closed', incidentId: 'closed-early', at: iso(day0 - DAY + 4 * HOUR) },
    ];
    const { json } = await t.post({ events: [...cases(), ...closedEarly] });
    expect(json.rejected, JSON.stringify(json).slice(0, 600)).toBe(0);
  });
  afterAll(() => t.close());

  const seqs = (events: readonly StoredEvent[]) => events.map((e) => e.seq);

  it('answers exactly what a fresh read answers, after events that add a case, extend one and start another', async () => {
    const cache = new CarryCache(t.store);
    const first = await cache.carried(from, 'city');
    const firstSeqs = seqs(first.earlier);
    expect(seqs(first.earlier)).toEqual(seqs((await carriedEvents(t.store, from, 'city')).earlier));
    expect(new Set(first.earlier.map(incidentIdOf))).not.toContain('closed-early');
    expect(seqs((await cache.carried(from, DISTRICT_A)).earlier)).toEqual(seqs((await carriedEvents(t.store, from, DISTRICT_A)).earlier));
    // the same day and area again, nothing new in the log: no second scan
    await cache.carried(from + HOUR, 'city');
    expect(cache.counts).toEqual({ scans: 2, catchUps: 0 });

    const { json } = await t.post({
      events: [
        // the case closed the day before is rated now: it is live at the range's start from now on
        { id: 'ce-rated', type: 'incident.rated', incidentId: 'closed-early', at: iso(Date.now()), satisfaction: 4 },
        // a carried case gets an event logged late, timed before the range's day: it joins what is carried in
        { id: 'backlog-started', type: 'incident.started', incidentId: 'backlog', at: iso(day0 - HOUR) },
        // a case reported now, after the range's start: never carried in
        { id: 'new-r', type: 'incident.reported', at: iso(Date.now()), incident: { id: 'new-case', location: gridCentre(gridB), category: 'env.litter', channel: 'grid-patrol' }, crs: 'wgs84' },
      ],
    });
    expect(json.rejected, JSON.stringify(json)).toBe(0);
    for (const area of ['city', DISTRICT_A, DISTRICT_B]) {
      const cached = await cache.carried(from, area);
      expect(seqs(cached.earlier), area).toEqual(seqs((await carriedEvents(t.store, from, area)).earlier));
    }
    const now = (await cache.carried(from, 'city')).earlier;
    expect(now.filter((e) => incidentIdOf(e) === 'closed-early').map((e) => e.type)).toEqual([
      'incident.reported', 'incident.registered', 'incident.dispatched', 'incident.started', 'incident.resolved', 'incident.verified', 'incident.closed',
    ]);
    expect(now.some((e) => e.id === 'backlog-started')).toBe(true);
    expect(new Set(now.map(incidentIdOf))).not.toContain('new-case');
    // brought up to date, not scanned again (DISTRICT_B is new to the cache: its first read is a scan)
    expect(cache.counts.scans).toBe(3);
    expect(cache.counts.catchUps).toBe(2);
    // an answer already handed out is never changed under its reader
    expect(seqs(first.earlier)).toEqual(firstSeqs);
  });

  it('reads afresh once an entry is older than its time to live, or too far behind the log', async () => {
    let clock = Date.now();
    const cache = new CarryCache(t.store, { ttlMs: 60_000, maxCatchUpEvents: 1, now: () => clock });
    await cache.carried(from, 'city');
    clock += 61_000;
    expect(seqs((await cache.carried(from, 'city')).earlier)).toEqual(seqs((await carriedEvents(t.store, from, 'city')).earlier));
    expect(cache.counts).toEqual({ scans: 2, catchUps: 0 });
    const { json } = await t.post({
      events: ['far-1', 'far-2'].map((id) => ({ id: `${id}-r`, type: 'incident.reported', at: iso(Date.now()), incident: { id, location: gridCentre(gridA), category: 'env.litter', channel: 'grid-patrol' }, crs: 'wgs84' })),
    });
    expect(json.rejected).toBe(0);
    expect(seqs((await cache.carried(from, 'city')).earlier)).toEqual(seqs((await carriedEvents(t.store, from, 'city')).earlier));
    expect(cache.counts).toEqual({ scans: 3, catchUps: 0 });
  });
});
