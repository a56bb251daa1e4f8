/**
 * Playback's GPU columns against the reducer: at many instants t, the segments the GPU time filter keeps
 * (from ≤ t < to) draw every case reported in the range in exactly its status at t (the live wall's colours,
 * overdue overriding dispatched / in progress once the deadline passed, ended cases dim for 30 minutes), and the
 * per-grid figures of the cumulative choropleth equal counts taken from the reducer's fold. The filter test here is
 * the same arithmetic the DataFilterExtension does on the GPU, over the very arrays handed to deck.gl.
 */
import { describe, expect, it } from 'vitest';
import { HistoryDecoder, HistoryEncoder, NO_LIMIT, type HistoryChunk } from '../../protocol/history-codec';
import { fold, isUnresolvedStatus } from '../../protocol/reducer';
import { EVENT_TYPES, type StoredEvent } from '../../protocol/events';
import { PlaybackPoints } from '../../client/playback/playback-points';
import { groupOf, inFocus, NO_FOCUS, type MapFocus } from '../../client/map/map-focus';
import { PRIORITY_RADIUS_PX, STATUS_COLOURS } from '../../client/live/incident-style';
import { CLIENT_RETAIN_CLOSED_MS } from '../../client/live/live-model';
import { GridChoropleth, rampColour } from '../../client/map/layers/grid-choropleth';
import { DAY0, EventLog, GRID_A, GRID_B, GRID_C, HOUR, MINUTE } from '../protocol/builders';

/** Cases through every path: whole lifecycles, overdue ones (default SLA and explicit deadlines), a rework, a
 * redispatch moving the deadline, cancellations, cases still open at the end. Each at its own location. */
function history(): StoredEvent[] {
  const log = new EventLog();
  const grids = [GRID_A, GRID_B, GRID_C];
  for (let i = 0; i < 40; i++) {
    const id = `c${i}`;
    const t0 = DAY0 + i * 11 * MINUTE;
    const grid = grids[i % 3]!;
    switch (i % 8) {
      case 0:
        log.lifecycle(id, t0, { grid, rating: 1 + (i % 5) });
        break;
      case 1: // overdue by an explicit deadline, then resolved late and closed
        log.reported(id, t0, { grid });
        log.registered(id, t0 + 2 * MINUTE);
        log.dispatched(id, t0 + 4 * MINUTE, t0 + 20 * MINUTE);
        log.started(id, t0 + 10 * MINUTE);
        log.resolved(id, t0 + 50 * MINUTE);
        log.verified(id, t0 + 55 * MINUTE);
        log.closed(id, t0 + 60 * MINUTE);
        log.rated(id, t0 + 70 * MINUTE, 2);
        break;
      case 2:
        log.reported(id, t0, { grid });
        log.cancelled(id, t0 + 3 * MINUTE);
        break;
      case 3: // a rework: resolved, verification fails, back in progress past the deadline
        log.reported(id, t0, { grid });
        log.registered(id, t0 + MINUTE);
        log.dispatched(id, t0 + 2 * MINUTE, t0 + 40 * MINUTE);
        log.started(id, t0 + 5 * MINUTE);
        log.resolved(id, t0 + 20 * MINUTE);
        log.verified(id, t0 + 25 * MINUTE, false);
        log.resolved(id, t0 + 70 * MINUTE);
        break;
      case 4: // a redispatch moves the deadline later; never resolved within the range
        log.reported(id, t0, { grid });
        log.registered(id, t0 + MINUTE);
        log.dispatched(id, t0 + 2 * MINUTE, t0 + 15 * MINUTE);
        log.dispatched(id, t0 + 10 * MINUTE, t0 + 45 * MINUTE);
        break;
      case 5: // default SLA (env.litter: hours), still open
        log.reported(id, t0, { grid });
        log.registered(id, t0 + MINUTE);
        log.dispatched(id, t0 + 3 * MINUTE);
        log.started(id, t0 + 8 * MINUTE);
        break;
      case 6:
        log.reported(id, t0, { grid });
        break;
      default:
        log.lifecycle(id, t0, { grid });
    }
  }
  // distinct locations, so a segment tells which case it draws
  const locations = new Map<string, [number, number]>();
  for (const e of log.events) {
    if (e.type !== 'incident.reported') continue;
    const location: [number, number] = [102.7 + locations.size * 0.001, 25.04];
    locations.set(e.incident.id, location);
    (e.incident as { location: [number, number] }).location = location;
  }
  return log.events;
}

/** The history as a decoded stream; `details: false` as windowed playback asks for it (columns only, no ids). */
function decoded(events: StoredEvent[], perFrame: number, details = true): { chunks: HistoryChunk[]; decoder: HistoryDecoder } {
  const encoder = new HistoryEncoder();
  const decoder = new HistoryDecoder({ incidentIds: details });
  const chunks: HistoryChunk[] = [];
  for (let i = 0; i < events.length; i += perFrame) chunks.push(...decoder.push(encoder.encodeFrame(events.slice(i, i + perFrame), { details })));
  decoder.end();
  return { chunks, decoder };
}

const identity = (x: number, y: number): [number, number] => [x, y];
const atOf = (e: StoredEvent) => Date.parse(e.at);
const key = (x: number, y: number) => `${Math.fround(x)},${Math.fround(y)}`;

/** What the GPU filter draws at t: location → colour, from the arrays handed to deck.gl. */
function drawnAt(points: PlaybackPoints, t: number): Map<string, number[]> {
  const s = points.seconds(t);
  const out = new Map<string, number[]>();
  for (const data of points.blockData()) {
    const a = data.attributes as unknown as Record<string, { value: Float32Array | Uint8Array }>;
    const position = a.getPosition!.value, colour = a.getFillColor!.value, filter = a.getFilterValue!.value, radius = a.getRadius!.value;
    for (let i = 0; i < data.length; i++) {
      if (!(filter[i * 2]! <= s && s < filter[i * 2 + 1]!)) continue;
      const k = key(position[i * 2]!, position[i * 2 + 1]!);
      expect(out.has(k), `two segments of one case at ${new Date(t).toISOString()}`).toBe(false);
      // colour, and the radius in pixels as deck.gl reads it (unorm8 × radiusScale 255 / RADIUS_UNIT at scale 1)
      out.set(k, [...colour.subarray(i * 4, i * 4 + 4), (radius[i]! / 255) * (255 / PlaybackPoints.RADIUS_UNIT)]);
    }
  }
  return out;
}

/** What the live wall would show at t, from the reducer. */
function expectedAt(events: StoredEvent[], t: number): Map<string, number[]> {
  const state = fold(events.filter((e) => atOf(e) <= t));
  const out = new Map<string, number[]>();
  for (const r of state.incidents.values()) {
    const ended = r.closedAt ?? r.cancelledAt;
    if (ended !== undefined && t - ended >= CLIENT_RETAIN_CLOSED_MS) continue;
    const overdue = isUnresolvedStatus(r.status) && r.deadline !== undefined && r.deadline < t;
    const radius = ended !== undefined ? 2 : PRIORITY_RADIUS_PX[r.priority] * (overdue ? 1.25 : 1);
    out.set(key(r.location[0], r.location[1]), [...(overdue ? STATUS_COLOURS.overdue : STATUS_COLOURS[r.status]), radius]);
  }
  return out;
}

const events = history();
const first = atOf(events[0]!);
const last = Math.max(...events.map(atOf));
// every event time, just before it, and a grid of instants; deadlines land between
const instants = [...new Set(events.flatMap((e) => [atOf(e) - 1_000, atOf(e) + 1_000]).concat(Array.from({ length: 200 }, (_, i) => first + ((last + 12 * HOUR - first) * i) / 199)))].sort((a, b) => a - b);

describe('playback points: status at t on the GPU filter', () => {
  for (const [perFrame, details] of [[7, true], [1000, true], [7, false]] as const) {
    it(`draws every case in its reducer status at t, overdue included (frames of ${perFrame}, ${details ? 'with details' : 'columns only, as windowed playback loads'})`, () => {
      const { chunks } = decoded(events, perFrame, details);
      const points = new PlaybackPoints(first - HOUR, identity);
      for (const chunk of chunks) points.add(chunk);
      let overdueSeen = 0;
      for (const t of instants) {
        const drawn = drawnAt(points, t);
        expect(drawn, new Date(t).toISOString()).toEqual(expectedAt(events, t));
        for (const c of drawn.values()) if (c.slice(0, 4).join() === STATUS_COLOURS.overdue.join()) overdueSeen += 1;
      }
      expect(overdueSeen).toBeGreaterThan(0);
    });
  }

  it("shows only the cases in the wall's focus at every t (set before the segments came, or after), and the choropleth counts only its group", () => {
    // the same history, its cases spread over four category groups
    const categories = ['env.litter', 'emergency.fire', 'social.neighbour-dispute', 'facility.streetlight'];
    const varied = structuredClone(events);
    for (const e of varied) if (e.type === 'incident.reported') (e.incident as { category: string }).category = categories[Number(e.incident.id.slice(1)) % categories.length]!;
    const { chunks, decoder } = decoded(varied, 25, false);
    const points = new PlaybackPoints(first - HOUR, identity);
    const overdueOnly: MapFocus = { state: 'overdue', group: null };
    points.setFocus(overdueOnly);
    for (const chunk of chunks.slice(0, chunks.length >> 1)) points.add(chunk);
    points.setFocus(NO_FOCUS);
    for (const chunk of chunks.slice(chunks.length >> 1)) points.add(chunk);
    const expectedInFocus = (t: number, focus: MapFocus) => {
      const state = fold(varied.filter((e) => atOf(e) <= t));
      const all = expectedAt(varied, t);
      for (const r of state.incidents.values()) {
        const overdue = isUnresolvedStatus(r.status) && r.deadline !== undefined && r.deadline < t;
        if (!inFocus(focus, r, overdue)) all.delete(key(r.location[0], r.location[1]));
      }
      return all;
    };
    const visible = (t: number) => new Map([...drawnAt(points, t)].filter(([, c]) => c[3]! > 0));
    const foci: MapFocus[] = [NO_FOCUS, overdueOnly, { state: 'open', group: 'emergency' }, { state: null, group: 'social' }, NO_FOCUS];
    for (const focus of foci) {
      points.setFocus(focus);
      let shown = 0;
      for (const t of instants) {
        const expected = expectedInFocus(t, focus);
        expect(visible(t), `${JSON.stringify(focus)} at ${new Date(t).toISOString()}`).toEqual(expected);
        shown += expected.size;
      }
      expect(shown, JSON.stringify(focus)).toBeGreaterThan(0);
    }
    // the choropleth's figures: every group's cases, then the social group's only
    const grids = [GRID_A, GRID_B, GRID_C];
    const reportedIn = (group: string | null) => grids.map((g) => varied.filter((e) => e.type === 'incident.reported' && e.grid === g && (group === null || groupOf(e.incident.category) === group)).length);
    const tables = decoder.tables.grids;
    const figures = () => grids.map((g) => points.gridFiguresAt(last, tables.length).reported[tables.indexOf(g)] ?? 0);
    expect(figures()).toEqual(reportedIn(null));
    points.setFocus({ state: null, group: 'social' });
    expect(figures()).toEqual(reportedIn('social'));
    expect(figures().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('heats each case once, at its report position from its report time on', () => {
    const { chunks } = decoded(events, 50);
    const points = new PlaybackPoints(first - HOUR, identity);
    for (const chunk of chunks) points.add(chunk);
    points.finish();
    const heat = points.heatData();
    const position = heat.attributes.getPosition!.value as Float32Array;
    const reported = heat.attributes.getFilterValue!.value as Float32Array;
    expect(points.length).toBeGreaterThan(40);
    for (const t of [first, first + 30 * MINUTE, first + 3 * HOUR, last + HOUR]) {
      const s = points.seconds(t);
      const heated = new Set<string>();
      for (let i = 0; i < heat.length; i++) if (reported[i]! <= s) heated.add(key(position[i * 2]!, position[i * 2 + 1]!));
      const expected = new Set([...fold(events.filter((e) => atOf(e) <= t)).incidents.values()].map((r) => key(r.location[0], r.location[1])));
      expect(heated, new Date(t).toISOString()).toEqual(expected);
    }
  });

  it('keeps segments in blocks with exact sizes after finish, and refuses chunks after it', () => {
    const { chunks } = decoded(events, 50);
    const points = new PlaybackPoints(first - HOUR, identity);
    for (const chunk of chunks) points.add(chunk);
    const before = points.bytes;
    points.finish();
    const blocks = points.blockData();
    expect(blocks.length).toBe(1);
    expect(blocks[0]!.length).toBe(points.length);
    expect(points.bytes).toBe(points.length * PlaybackPoints.BYTES_PER_SEGMENT + points.incidentCount * PlaybackPoints.BYTES_PER_INCIDENT);
    expect(points.bytes).toBeLessThan(before);
    expect(() => points.add(chunks[0]!)).toThrow(/finished/);
  });

  it('splits a large range into blocks of 2^20 segments, re-uploading only the blocks a chunk changed', () => {
    // 400,000 cases reported and closed (2 segments each), then one more chunk closing a case of the first block
    const n = 400_000;
    const reported = EVENT_TYPES.indexOf('incident.reported');
    const closed = EVENT_TYPES.indexOf('incident.closed');
    const chunkOf = (types: number[], slots: number[], atS: number[]): HistoryChunk => {
      const count = types.length;
      return {
        count, baseSeq: 1, baseAt: 0, seqOffset: new Uint32Array(count), atOffset: Uint32Array.from(atS, (s) => s * 1000), type: Uint8Array.from(types), arg: new Uint8Array(count),
        grid: new Uint32Array(count), incident: Uint32Array.from(slots), lon: Float32Array.from(slots, (k) => k * 1e-3), lat: new Float32Array(count), limit: new Int32Array(count).fill(NO_LIMIT), minAt: 0, maxAt: 0, details: new Uint8Array(0),
      } as unknown as HistoryChunk;
    };
    const points = new PlaybackPoints(0, identity);
    const types: number[] = [], slots: number[] = [], at: number[] = [];
    for (let k = 0; k < n; k++) types.push(reported, closed), slots.push(k, k), at.push(k, k + 1);
    points.add(chunkOf(types, slots, at));
    const late = chunkOf([reported, reported], [n, n + 1], [n, n]);
    points.add(late);
    const before = points.blockData();
    expect(before.length).toBe(1);
    expect(before[0]!.length).toBe(2 * n + 2);
    // 150,000 more cases: 1,100,002 segments, past the first block
    const more: number[][] = [[], [], []];
    for (let k = n + 2; k < n + 150_002; k++) more[0]!.push(reported, closed), more[1]!.push(k, k), more[2]!.push(k, k + 1);
    points.add(chunkOf(more[0]!, more[1]!, more[2]!));
    const blocks = points.blockData();
    expect(blocks.map((b) => b.length)).toEqual([PlaybackPoints.BLOCK, points.length - PlaybackPoints.BLOCK]);
    expect(points.largestAllocation).toBeLessThanOrEqual(PlaybackPoints.BLOCK * 8);
    // closing case n (its segment in block 0) changes block 0's data; a chunk in block 1 only leaves block 0 alone
    points.add(chunkOf([reported, closed], [n + 150_002, n + 150_002], [2 * n, 2 * n + 1]));
    expect(points.blockData()[0] === blocks[0], 'block 0 kept').toBe(true);
    expect(points.blockData()[1] === blocks[1], 'block 1 renewed').toBe(false);
    points.add(chunkOf([closed], [n], [2 * n]));
    expect(points.blockData()[0] === blocks[0], 'block 0 renewed').toBe(false);
    const data = points.blockData()[0]!;
    const filter = data.attributes.getFilterValue!.value as Float32Array;
    expect(filter[2 * n * 2 + 1]).toBe(2 * n); // case n's reported segment (instance 2n, after 2 per earlier case) ends at its close
  });
});

describe('playback points: per-grid figures of the choropleth', () => {
  /** Whether the case went overdue at some instant ≤ t, by the reducer (status changes only at events). */
  function wentOverdue(id: string, t: number): boolean {
    const probes = events.filter((e) => atOf(e) <= t).map((e) => atOf(e) - 1).concat([t]);
    return probes.some((p) => {
      const r = fold(events.filter((e) => atOf(e) <= p)).incidents.get(id);
      return r !== undefined && isUnresolvedStatus(r.status) && r.deadline !== undefined && r.deadline < p;
    });
  }

  it.each([true, false])('counts, overdue cases and ratings per grid equal the fold at t (details: %s)', (details) => {
    const { chunks, decoder } = decoded(events, 13, details);
    const points = new PlaybackPoints(first - HOUR, identity);
    for (const chunk of chunks) points.add(chunk);
    for (const t of [first + 30 * MINUTE, first + 3 * HOUR, last + HOUR]) {
      const figures = points.gridFiguresAt(t, decoder.tables.grids.length);
      const state = fold(events.filter((e) => atOf(e) <= t));
      for (const [g, code] of decoder.tables.grids.entries()) {
        const cases = [...state.incidents.values()].filter((r) => r.grid === code);
        expect(figures.reported[g], `${code} reported`).toBe(cases.length);
        expect(figures.overdue[g], `${code} overdue`).toBe(cases.filter((r) => wentOverdue(r.id, t)).length);
        const rated = cases.filter((r) => r.satisfaction !== undefined);
        expect(figures.ratings[g]).toBe(rated.length);
        expect(figures.ratingSum[g]).toBe(rated.reduce((n, r) => n + r.satisfaction!, 0));
      }
      expect([...figures.overdue].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(t > first + 3 * HOUR ? 1 : 0);
    }
  });

  it('colours grids on the ramp: the busiest red, empty ones unfilled; rates and satisfaction on fixed scales', () => {
    const choropleth = new GridChoropleth();
    const figures = { reported: [4, 2, 0], overdue: [1, 2, 0], ratings: [2, 0, 0], ratingSum: [10, 0, 0] };
    choropleth.update(figures, ['g0', 'g1', 'g2'], 'count');
    expect(choropleth.colourOf('g0')).toEqual([239, 68, 68, 170]);
    expect(choropleth.colourOf('g1')).toEqual(rampColour(0.5));
    expect(choropleth.colourOf('g2')).toEqual([0, 0, 0, 0]);
    choropleth.update(figures, ['g0', 'g1', 'g2'], 'overdue');
    expect(choropleth.values.get('g0')).toBe(0.25);
    expect(choropleth.colourOf('g1')).toEqual(rampColour(1));
    choropleth.update(figures, ['g0', 'g1', 'g2'], 'satisfaction');
    expect(choropleth.values.get('g0')).toBe(5);
    expect(choropleth.colourOf('g0')).toEqual(rampColour(0));
    expect([...choropleth.values.keys()]).toEqual(['g0']);
    expect(() => choropleth.update(figures, ['g0'], 'nope' as never)).toThrow(/choropleth metric: must be one of count, overdue, satisfaction/);
  });
});
