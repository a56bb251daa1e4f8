/**
 * Playback's GPU columns against the reducer: at many instants t, the segments the GPU time filter keeps
 * (from ≤ t < to) draw every case reported in the range in exactly its status at t (the live wall's colours,
 * overdue overriding dispatched / in progress once the deadline passed, ended cases dim for 30 minutes), and the
 * per-grid figures of the cumulative choropleth equal counts taken from the reducer's fold. The filter test here is
 * the same arithmetic the DataFilterExtension does on the GPU, over the very arrays handed to deck.gl.
 */
import { describe, expect, it } from 'vitest';
import { HistoryDecoder, HistoryEncoder, chunkEvents, type HistoryChunk } from '../../protocol/history-codec';
import { fold, isUnresolvedStatus } from '../../protocol/reducer';
import type { StoredEvent } from '../../protocol/events';
import { PlaybackPoints } from '../../client/playback/playback-points';
import { STATUS_COLOURS } from '../../client/live/incident-style';
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

function decoded(events: StoredEvent[], perFrame: number): { chunks: HistoryChunk[]; decoder: HistoryDecoder } {
  const encoder = new HistoryEncoder();
  const decoder = new HistoryDecoder();
  const chunks: HistoryChunk[] = [];
  for (let i = 0; i < events.length; i += perFrame) chunks.push(...decoder.push(encoder.encodeFrame(events.slice(i, i + perFrame))));
  decoder.end();
  return { chunks, decoder };
}

const identity = (x: number, y: number): [number, number] => [x, y];
const atOf = (e: StoredEvent) => Date.parse(e.at);
const key = (x: number, y: number) => `${Math.fround(x)},${Math.fround(y)}`;

/** What the GPU filter draws at t: location → colour, from the arrays handed to deck.gl. */
function drawnAt(points: PlaybackPoints, t: number): Map<string, number[]> {
  const data = points.data();
  const a = data.attributes as Record<string, { value: Float32Array | Uint8Array }>;
  const position = a.getPosition!.value, colour = a.getFillColor!.value, filter = a.getFilterValue!.value;
  const s = points.seconds(t);
  const out = new Map<string, number[]>();
  for (let i = 0; i < data.length; i++) {
    if (!(filter[i * 2]! <= s && s < filter[i * 2 + 1]!)) continue;
    const k = key(position[i * 2]!, position[i * 2 + 1]!);
    expect(out.has(k), `two segments of one case at ${new Date(t).toISOString()}`).toBe(false);
    out.set(k, [...colour.subarray(i * 4, i * 4 + 4)]);
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
    out.set(key(r.location[0], r.location[1]), [...(overdue ? STATUS_COLOURS.overdue : STATUS_COLOURS[r.status])]);
  }
  return out;
}

const events = history();
const first = atOf(events[0]!);
const last = Math.max(...events.map(atOf));
// every event time, just before it, and a grid of instants; deadlines land between
const instants = [...new Set(events.flatMap((e) => [atOf(e) - 1_000, atOf(e) + 1_000]).concat(Array.from({ length: 200 }, (_, i) => first + ((last + 12 * HOUR - first) * i) / 199)))].sort((a, b) => a - b);

describe('playback points: status at t on the GPU filter', () => {
  for (const perFrame of [7, 1000]) {
    it(`draws every case in its reducer status at t (frames of ${perFrame})`, () => {
      const { chunks, decoder } = decoded(events, perFrame);
      const points = new PlaybackPoints(first - HOUR, identity);
      for (const chunk of chunks) points.add(chunk, chunkEvents(chunk, decoder.tables));
      let overdueSeen = 0;
      for (const t of instants) {
        const drawn = drawnAt(points, t);
        expect(drawn, new Date(t).toISOString()).toEqual(expectedAt(events, t));
        for (const c of drawn.values()) if (c.join() === STATUS_COLOURS.overdue.join()) overdueSeen += 1;
      }
      expect(overdueSeen).toBeGreaterThan(0);
    });
  }

  it('counts each case once in the heatmap weight', () => {
    const { chunks, decoder } = decoded(events, 50);
    const points = new PlaybackPoints(first - HOUR, identity);
    for (const chunk of chunks) points.add(chunk, chunkEvents(chunk, decoder.tables));
    const weights = (points.data().attributes as Record<string, { value: Float32Array }>).getWeight!.value;
    let total = 0;
    for (let i = 0; i < points.length; i++) total += weights[i]!;
    expect(total).toBe(40);
    expect(points.length).toBeGreaterThan(40);
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

  it('counts, overdue cases and ratings per grid equal the fold at t', () => {
    const { chunks, decoder } = decoded(events, 13);
    const points = new PlaybackPoints(first - HOUR, identity);
    for (const chunk of chunks) points.add(chunk, chunkEvents(chunk, decoder.tables));
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
    const figures = { reported: [4, 2, 0], overdue: [1, 2, 0], ratings: [2, 0, 0], ratingSum: [10, 0, 0], overdueKnown: true };
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
    choropleth.update({ ...figures, overdueKnown: false }, ['g0', 'g1', 'g2'], 'overdue');
    expect(choropleth.legend().missing).toMatch(/windowed/);
  });
});
