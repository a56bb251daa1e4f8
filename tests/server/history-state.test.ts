/**
 * Windowed playback against a real server: the server's state at t (`GET /api/v1/history/state`) and the window of
 * events after it give exactly the reducer's fold of the range's events up to t, for every t in the window, whether
 * the log is in time order or not; HistoryWindows (the tab's side) fetches few windows while playing forward; the
 * count endpoint bounds the range before loading; the columns stream is gzipped per frame and can leave the details
 * out.
 */
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { PLAYBACK_FOLD_OPTIONS, type HistoryStateAnswer } from '../../protocol/history-api';
import { HistoryDecoder, chunkEvents, type HistoryChunk } from '../../protocol/history-codec';
import { kpis } from '../../protocol/kpi';
import { applyEvent, fold, restoreSnapshot, type CityState } from '../../protocol/reducer';
import { loadCount, loadHistory, loadHistoryState, type HistoryRange } from '../../client/playback/history-loader';
import { HistoryWindows } from '../../client/playback/history-windows';
import { HistoryStateFolder } from '../../server/http/history-state';
import { busyAfternoon } from '../browser/helpers/scenario';
import { WALL_DISTRICTS, wallCity } from '../browser/helpers/wall-city';
import { startWallServer, type WallServer } from '../browser/helpers/wall-server';
import { openIds } from './helpers/open-ids';
import { expectLatestChanges } from './helpers/recent-changes';

const MIN = 60_000;
const city = wallCity();
const now = Date.now();
const atOf = (e: { at: string }) => Date.parse(e.at);

interface Served {
  wall: WallServer;
  events: StoredEvent[];
  from: number;
  to: number;
  truth: (t: number, area?: string) => CityState;
}

/** A wall server holding a busy afternoon, logged in time order or each incident's lifecycle at once. */
async function serve(prefix: string, inTimeOrder: boolean): Promise<Served> {
  const scenario = busyAfternoon(city, { now, incidents: 90, prefix, seed: inTimeOrder ? 3 : 5 });
  if (inTimeOrder) scenario.sort((a, b) => atOf(a) - atOf(b));
  const wall = await startWallServer(city);
  await wall.ingest(scenario);
  const events = await wall.store.readSeqRange(0);
  // `from` cuts the first reports off: playback carries them in (carry=1), so the state at t is the whole log's.
  const from = Math.min(...events.map(atOf)) + 10 * MIN;
  const to = now + MIN;
  const truth = (t: number, area = 'city') =>
    fold(events.filter((e) => atOf(e) <= t && (area === 'city' || e.grid.startsWith(area))), PLAYBACK_FOLD_OPTIONS);
  return { wall, events, from, to, truth };
}


function expectSameState(state: CityState, expected: CityState, t: number, area = 'city'): void {
  expect(openIds(state, area)).toEqual(openIds(expected, area));
  expect(kpis(state, area, t)).toEqual(kpis(expected, area, t));
}

/** The answer's state with the window's events up to t folded on, as HistoryWindows does. */
function foldWindow(answer: HistoryStateAnswer, t: number): CityState {
  const state = restoreSnapshot(answer.state);
  for (const event of answer.window.events) if (atOf(event) <= t) applyEvent(state, event);
  return state;
}

/**
 * Plays the range forward through HistoryWindows (as the tab does), checking the state and the ticker's rows (the
 * server's latest changes before the window, then the window's) at every step.
 */
async function playWindowed(s: Served, range: HistoryRange): Promise<{ windows: HistoryWindows; steps: number; tickerRows: number }> {
  let loaded: () => void = () => undefined;
  let failure: Error | null = null;
  const windows = new HistoryWindows({
    load: (at, span) => loadHistoryState(range, at, span),
    windowMs: () => 40 * MIN,
    onLoaded: () => loaded(),
    onError: (error) => {
      failure = error;
      loaded();
    },
  });
  const stateAt = async (t: number): Promise<CityState> => {
    for (let tries = 0; tries < 5; tries++) {
      const state = windows.stateAt(t);
      if (state) return state;
      await new Promise<void>((resolve) => (loaded = resolve));
      if (failure) throw failure;
    }
    throw new Error(`no window for ${t}`);
  };
  let steps = 0;
  let tickerRows = 0;
  for (let t = s.from; t <= now; t += 3 * MIN + 17_000) {
    expectSameState(await stateAt(t), s.truth(t), t);
    for (const area of ['city', WALL_DISTRICTS[0]]) tickerRows += expectLatestChanges(windows.recentAt(t, area)!, s.events, t, area);
    steps += 1;
  }
  windows.close();
  return { windows, steps, tickerRows };
}

describe('the state at t from the server, events in time order', () => {
  let s: Served;
  let range: HistoryRange;
  beforeAll(async () => {
    s = await serve('ws', true);
    range = { from: s.from, to: s.to, area: 'city', origin: s.wall.url };
  });
  afterAll(async () => {
    await s?.wall.close();
  });

  it('is the reducer fold of the range up to t, and folding the window onto it stays exact inside the window', async () => {
    const first = atOf(s.events[0]!);
    const instants = [s.from, first + 45 * MIN, first + 90 * MIN, first + 150 * MIN, now, first + 60 * MIN];
    let windowsUsed = 0;
    let fullTickers = 0;
    for (const at of instants) {
      const answer = await loadHistoryState(range, at, 30 * MIN);
      expectSameState(restoreSnapshot(answer.state), s.truth(at), at);
      // the ticker's rows at `at`: the fold's latest changes, each with the case as it left it
      if (expectLatestChanges(answer.recent, s.events, at) === 40) fullTickers += 1;
      // the tab's window starts its ticker from those rows and adds the window's changes to them
      const windows = new HistoryWindows({ load: async () => answer, windowMs: () => 30 * MIN, onLoaded: () => undefined, onError: (error) => { throw error; } });
      expect(windows.recentAt(at)).toBeUndefined();
      await expect.poll(() => windows.recentAt(at)).toEqual(answer.recent);
      const later = Math.round((at + answer.window.to) / 2);
      expect(expectLatestChanges(windows.recentAt(later)!, s.events, later)).toBe(Math.min(40, answer.recent.length + answer.window.events.filter((e) => atOf(e) <= later).length));
      expect(answer.window.events.every((e) => e.seq > answer.state.headSeq)).toBe(true);
      if (answer.window.to > at) windowsUsed += 1;
      for (const t of [at + 1, Math.round((at + answer.window.to) / 2), answer.window.to]) expectSameState(foldWindow(answer, t), s.truth(t), t);
    }
    // in time order nothing shortens a window
    expect(windowsUsed).toBe(instants.length);
    expect(fullTickers, 'answers with a full ticker').toBeGreaterThanOrEqual(instants.length - 1);
  });

  it('/api/v1/kpis?at= is the reducer\'s figures of the whole log folded to t, for the city and a district', async () => {
    const first = atOf(s.events[0]!);
    for (const at of [first + 30 * MIN, first + 100 * MIN, now - MIN]) {
      for (const area of ['city', WALL_DISTRICTS[0]]) {
        const res = await fetch(`${s.wall.url}/api/v1/kpis?area=${area}&at=${encodeURIComponent(new Date(at).toISOString())}`);
        expect(res.status).toBe(200);
        expect(await res.json(), `${area} at ${new Date(at).toISOString()}`).toEqual(JSON.parse(JSON.stringify(kpis(s.truth(at), area, at))));
      }
    }
    // the check tells then from now
    expect(kpis(s.truth(first + 30 * MIN), 'city', first + 30 * MIN).open).not.toBe(kpis(s.truth(now), 'city', now).open);
    const future = await fetch(`${s.wall.url}/api/v1/kpis?area=city&at=${now + 3_600_000}`);
    expect(future.status).toBe(400);
    expect(JSON.stringify(await future.json())).toContain('"at"');
  });

  it('keeps only the open, the recently ended and the referenced cases in the answer', async () => {
    const at = atOf(s.events[0]!) + 150 * MIN;
    const answer = await loadHistoryState(range, at, 20 * MIN);
    const referenced = new Set(answer.window.events.map((e) => (e.type === 'incident.reported' ? e.incident.id : e.incidentId)));
    for (const record of answer.state.incidents) {
      const ended = record.closedAt ?? record.cancelledAt;
      expect(ended === undefined || at - ended <= answer.recentMs || referenced.has(record.id)).toBe(true);
    }
    expect(answer.state.incidents.length).toBeLessThan(s.truth(at).incidents.size);
  });

  it('is scoped to an area like live', async () => {
    const area = WALL_DISTRICTS[1];
    const at = atOf(s.events[0]!) + 120 * MIN;
    const answer = await loadHistoryState({ ...range, area }, at, 10 * MIN);
    expect(answer.state.incidents.every((r) => r.grid.startsWith(area))).toBe(true);
    expect(answer.window.events.every((e) => e.grid.startsWith(area))).toBe(true);
    expect(kpis(restoreSnapshot(answer.state), area, at)).toEqual(kpis(s.truth(at), area, at));
    expectSameState(restoreSnapshot(answer.state), s.truth(at, area), at, area);
    expect(expectLatestChanges(answer.recent, s.events, at, area)).toBeGreaterThan(10);
  });

  it('HistoryWindows plays forward exactly, fetching a window only now and then', async () => {
    const { windows, steps, tickerRows } = await playWindowed(s, range);
    expect(tickerRows, 'ticker rows checked').toBeGreaterThan(steps * 10);
    expect(windows.held).toBeLessThanOrEqual(4);
    expect(windows.loads).toBeLessThan(steps / 4);
  });

  it('moves a folded state forward by the new events only', async () => {
    const folder = new HistoryStateFolder(s.wall.store);
    const t0 = atOf(s.events[0]!) + 60 * MIN;
    const t1 = t0 + 20 * MIN;
    // the range's own events (no carry): the fold starts at `from`
    const rangeOnly = (t: number) => fold(s.events.filter((e) => atOf(e) >= s.from && atOf(e) <= t), PLAYBACK_FOLD_OPTIONS);
    await folder.answer({ from: s.from, at: t0, area: 'city', windowMs: 0 });
    const before = folder.folded;
    expect(before).toBe(s.events.filter((e) => atOf(e) >= s.from && atOf(e) <= t0).length);
    const answer = await folder.answer({ from: s.from, at: t1, area: 'city', windowMs: 0 });
    expect(folder.folded - before).toBe(s.events.filter((e) => atOf(e) > t0 && atOf(e) <= t1).length);
    expectSameState(restoreSnapshot(answer.state), rangeOnly(t1), t1);
    // back before it: folded afresh, still exact
    const back = await folder.answer({ from: s.from, at: t0 - 5 * MIN, area: 'city', windowMs: 0 });
    expectSameState(restoreSnapshot(back.state), rangeOnly(t0 - 5 * MIN), t0 - 5 * MIN);
    // carried in, a cursor of its own moves forward the same way
    await folder.answer({ from: s.from, at: t0, area: 'city', windowMs: 0, carry: true });
    const carried = folder.folded;
    const moved = await folder.answer({ from: s.from, at: t1, area: 'city', windowMs: 0, carry: true });
    expect(folder.folded - carried).toBe(s.events.filter((e) => atOf(e) > t0 && atOf(e) <= t1).length);
    expectSameState(restoreSnapshot(moved.state), s.truth(t1), t1);
  });

  it('counts the range before loading, and refuses bad parameters naming the field', async () => {
    const count = await loadCount(range);
    expect(count.atMost).toBeGreaterThanOrEqual(s.events.filter((e) => atOf(e) >= s.from && atOf(e) <= s.to).length);
    const bad = async (query: string) => ((await (await fetch(`${s.wall.url}/api/v1/history/state?${query}`)).json()) as { error: { fields: Array<{ field: string }> } }).error.fields[0]?.field;
    expect(await bad(`from=${s.from}&at=${s.from - 1}`)).toBe('from');
    expect(await bad(`from=${s.from}&at=yesterday`)).toBe('at');
    expect(await bad(`from=${s.from}&at=${now}&window=-5`)).toBe('window');
    expect(await bad(`from=${s.from}&at=${now}&window=${40 * 86_400_000}`)).toBe('window');
    expect((await fetch(`${s.wall.url}/api/v1/history/count?from=${now}&to=${s.from}`)).status).toBe(400);
  });

  it('streams the columns gzipped, one gzip stream flushed per frame, and without details when asked', async () => {
    const json = (await (await fetch(`${s.wall.url}/api/v1/history?from=${s.from}&to=${s.to}&limit=50000`)).json()) as { events: StoredEvent[] };
    // a raw request, so that the body is seen as it travels
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      http
        .get(`${s.wall.url}/api/v1/history?from=${s.from}&to=${s.to}&format=columns`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }));
        })
        .on('error', reject);
    });
    expect(raw.encoding).toBe('gzip');
    // one gzip member: its magic appears once, at the start
    expect(raw.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const decoder = new HistoryDecoder();
    const chunks = decoder.push(gunzipSync(raw.body));
    decoder.end();
    expect(chunks.flatMap((c) => chunkEvents(c, decoder.tables))).toEqual(json.events);

    // playback's load (carried in) without details: the columns of the same events as with them
    const carried = new HistoryDecoder();
    const withDetails = carried.push(new Uint8Array(await (await fetch(`${s.wall.url}/api/v1/history?from=${s.from}&to=${s.to}&format=columns&carry=1`)).arrayBuffer()));
    carried.end();
    const carriedEvents = withDetails.flatMap((c) => chunkEvents(c, carried.tables));
    expect(carriedEvents.length).toBeGreaterThanOrEqual(json.events.length);
    const columnsOnly: HistoryChunk[] = [];
    const result = await loadHistory(range, (chunk) => columnsOnly.push(chunk), { details: false });
    expect(result.events).toBe(carriedEvents.length);
    expect(columnsOnly.reduce((n, c) => n + c.details.byteLength, 0)).toBe(0);
    expect(columnsOnly.flatMap((c) => [...c.seqOffset].map((o) => c.baseSeq + o))).toEqual(carriedEvents.map((e) => e.seq));
    expect(() => chunkEvents(columnsOnly[0]!, { grids: [], incidents: [] })).toThrow(/without details/);
  });
});

describe('the state at t from the server, each lifecycle logged at once', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve('wl', false);
  });
  afterAll(async () => {
    await s?.wall.close();
  });

  it('shortens the window before the first event logged out of time order, and stays exact', async () => {
    const range: HistoryRange = { from: s.from, to: s.to, area: 'city', origin: s.wall.url };
    const first = atOf(s.events[0]!);
    let shortened = 0;
    for (const at of [first + 30 * MIN, first + 100 * MIN, first + 170 * MIN, now - 10 * MIN]) {
      const answer = await loadHistoryState(range, at, 60 * MIN);
      expectSameState(restoreSnapshot(answer.state), s.truth(at), at);
      // the ticker's rows at `at`: the fold's latest changes, each with the case as it left it
      expect(expectLatestChanges(answer.recent, s.events, at)).toBe(40);
      expect(answer.window.events.every((e) => e.seq > answer.state.headSeq)).toBe(true);
      if (answer.window.to < Math.min(at + 60 * MIN)) shortened += 1;
      for (const t of [Math.round((at + answer.window.to) / 2), answer.window.to]) expectSameState(foldWindow(answer, t), s.truth(t), t);
    }
    expect(shortened).toBeGreaterThan(0);
  });

  it('HistoryWindows plays forward exactly through the shortened windows', async () => {
    const { steps } = await playWindowed(s, { from: s.from, to: s.to, area: 'city', origin: s.wall.url });
    expect(steps).toBeGreaterThan(50);
  });
});
