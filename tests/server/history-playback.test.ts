import { describe, expect, it } from 'vitest';
import { HistoryDecoder, HistoryEncoder, NO_LIMIT, chunkEvents, type HistoryChunk } from '../../protocol/history-codec';
import { slaHoursFor } from '../../protocol/catalogues';
import { kpis } from '../../protocol/kpi';
import { fold } from '../../protocol/reducer';
import type { StoredEvent } from '../../protocol/events';
import { PlaybackTimeline } from '../../client/playback/playback-timeline';
import { EventTimes, gridsIn } from '../../client/playback/event-times';
import { DAY0, EventLog, GRID_A, GRID_B, GRID_C, MINUTE } from '../protocol/builders';
import { openIds } from './helpers/open-ids';
import { changesUpTo, expectLatestChanges } from './helpers/recent-changes';

/** 60 incidents reported 7 minutes apart, each with its whole lifecycle logged at once: seq order ≠ time order. */
function history(): StoredEvent[] {
  const log = new EventLog();
  const grids = [GRID_A, GRID_B, GRID_C];
  for (let i = 0; i < 60; i++) {
    const id = `inc-${i}`;
    if (i % 5 === 4) {
      log.reported(id, DAY0 + i * 7 * MINUTE, { grid: grids[i % 3] as string });
      log.registered(id, DAY0 + i * 7 * MINUTE + 2 * MINUTE);
      log.whistled(id, DAY0 + i * 7 * MINUTE + 3 * MINUTE, `w-${i}`);
      log.departmentReported(id, DAY0 + i * 7 * MINUTE + 9 * MINUTE, `w-${i}`, 's-ps-1', 'acknowledged');
      log.departmentReported(id, DAY0 + i * 7 * MINUTE + 20 * MINUTE, `w-${i}`, 's-ps-1', 'arrived');
    } else log.lifecycle(id, DAY0 + i * 7 * MINUTE, { grid: grids[i % 3] as string, rating: 1 + (i % 5) });
  }
  return log.events;
}

/** Encodes events as frames of `perFrame`, concatenated, as the server streams them. */
function stream(events: StoredEvent[], perFrame: number): Uint8Array {
  const encoder = new HistoryEncoder();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += perFrame) frames.push(encoder.encodeFrame(events.slice(i, i + perFrame)));
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const frame of frames) {
    bytes.set(frame, at);
    at += frame.length;
  }
  return bytes;
}


describe('the history codec', () => {
  it('decodes a stream cut into arbitrary pieces to exactly the events encoded', () => {
    const events = history();
    const bytes = stream(events, 37);
    for (const pieceSize of [1, 7, 4096, bytes.length]) {
      const decoder = new HistoryDecoder();
      const chunks: HistoryChunk[] = [];
      for (let i = 0; i < bytes.length; i += pieceSize) chunks.push(...decoder.push(bytes.subarray(i, i + pieceSize)));
      decoder.end();
      expect(chunks.length).toBe(Math.ceil(events.length / 37));
      expect(chunks.flatMap((c) => chunkEvents(c, decoder.tables))).toEqual(events);
      expect(decoder.tables.incidents.length).toBe(60);
    }
  });

  it("carries what the overdue colour needs in the limit column, with or without details", () => {
    const log = new EventLog();
    log.reported('a', DAY0, { grid: GRID_A, category: 'env.litter' });
    log.registered('a', DAY0 + MINUTE);
    log.dispatched('a', DAY0 + 2 * MINUTE); // the category's SLA applies
    log.reported('b', DAY0 + 3 * MINUTE, { grid: GRID_B });
    log.registered('b', DAY0 + 4 * MINUTE);
    log.dispatched('b', DAY0 + 5 * MINUTE, DAY0 + 5 * MINUTE + 90_500); // an explicit deadline, 90.5 s later
    for (const details of [true, false]) {
      const encoder = new HistoryEncoder();
      const decoder = new HistoryDecoder({ incidentIds: details });
      // a's events in one frame, b's in another (whose baseAt is b's report)
      const [first] = decoder.push(encoder.encodeFrame(log.events.slice(0, 3), { details }));
      const [second] = decoder.push(encoder.encodeFrame(log.events.slice(3), { details }));
      expect([...first!.limit]).toEqual([Math.round(slaHoursFor('env.litter') * 60), NO_LIMIT, NO_LIMIT]);
      const bReport = log.events[3] as Extract<StoredEvent, { type: 'incident.reported' }>;
      expect(second!.limit[0]).toBe(Math.round(slaHoursFor(bReport.incident.category) * 60));
      expect(second!.limit[1]).toBe(NO_LIMIT);
      // seconds after the frame's earliest event, rounded up: never overdue earlier than the reducer says
      expect(second!.baseAt + second!.limit[2]! * 1000).toBe(DAY0 + 5 * MINUTE + 91_000);
    }
    const far = { ...log.events[5]!, deadline: '2200-01-01T00:00:00Z' } as StoredEvent;
    expect(() => new HistoryEncoder().encodeFrame([far])).toThrow(/events\[0\]\.deadline: more than 68 years/);
  });

  it('names the problem when a stream stops inside a frame or is not a history stream', () => {
    const bytes = stream(history(), 100);
    const decoder = new HistoryDecoder();
    decoder.push(bytes.subarray(0, bytes.length - 3));
    expect(() => decoder.end()).toThrow(/ended inside frame \d+/);
    expect(() => new HistoryDecoder().push(new TextEncoder().encode('{"events":[]} and more text than a header'))).toThrow(/GWHC magic/);
  });
});

describe('playback state at t', () => {
  const events = history();
  const decoder = new HistoryDecoder();
  const chunks = decoder.push(stream(events, 40));
  const timeline = new PlaybackTimeline({ snapshotEvery: 50 });
  for (const chunk of chunks) timeline.add(chunk, decoder.tables);
  const atOf = (e: StoredEvent) => Date.parse(e.at);
  const truth = (t: number) => fold(events.filter((e) => atOf(e) <= t), { retainClosedMs: Number.MAX_SAFE_INTEGER, retainDays: 400 });

  it('keeps snapshots and refuses nothing of a log the reducer accepts', () => {
    expect(timeline.snapshotCount).toBeGreaterThan(3);
    expect(timeline.rejected).toBe(0);
    expect(timeline.eventCount).toBe(events.length);
  });

  it('jumping to any t gives the open cases and KPIs of the reducer fold of events up to t', () => {
    const instants = [DAY0 - 1, DAY0, DAY0 + 95 * MINUTE, DAY0 + 4 * 60 * MINUTE + 17_000, DAY0 + 400 * MINUTE, DAY0 + 10 * 60 * MINUTE];
    for (const t of [...instants, ...instants.slice().reverse()]) {
      const expected = truth(t);
      const state = timeline.stateAt(t);
      expect(openIds(state)).toEqual(openIds(expected));
      expect(kpis(state, 'city', t)).toEqual(kpis(expected, 'city', t));
      expect(kpis(state, GRID_B, t)).toEqual(kpis(expected, GRID_B, t));
    }
  });

  it('playing forward in small steps stays exact although events arrive out of time order', () => {
    for (let t = DAY0; t <= DAY0 + 9 * 60 * MINUTE; t += 13 * MINUTE) {
      const state = timeline.stateAt(t);
      expect(openIds(state)).toEqual(openIds(truth(t)));
      expect(kpis(state, 'city', t)).toEqual(kpis(truth(t), 'city', t));
    }
  });

  it('the ticker\'s rows at t are the latest changes of the fold to t, each with the case as that change left it', () => {
    // a fresh timeline with rarer snapshots, so that most folds hold a full ticker's worth of changes
    const wide = new PlaybackTimeline({ snapshotEvery: 200 });
    for (const chunk of chunks) wide.add(chunk, decoder.tables);
    let full = 0;
    let movedOn = 0;
    const check = (tl: PlaybackTimeline, t: number) => {
      for (const area of ['city', GRID_B.slice(0, 6), GRID_C]) {
        const entries = tl.recentAt(t, area);
        const n = expectLatestChanges(entries, events, t, area);
        if (area === 'city' && n === 40) full += 1;
        // a row keeps the status its change set although the case has moved on by t
        const now = tl.stateAt(t);
        if (entries.some((e) => now.incidents.get(e.incident.id)!.status !== e.incident.status)) movedOn += 1;
      }
    };
    const instants = [DAY0 + 95 * MINUTE, DAY0 + 4 * 60 * MINUTE + 17_000, DAY0 + 400 * MINUTE, DAY0 + 10 * 60 * MINUTE, DAY0 + 30 * MINUTE];
    for (const tl of [timeline, wide]) {
      for (const t of instants) check(tl, t);
      // playing forward continues the fold, and its rows
      for (let t = DAY0; t <= DAY0 + 9 * 60 * MINUTE; t += 13 * MINUTE) check(tl, t);
    }
    expect(full, 'folds that hold the ticker\'s 40 rows').toBeGreaterThan(20);
    expect(movedOn, 'rows whose case moved on by t').toBeGreaterThan(10);
    expect(timeline.recentAt(DAY0 - 1)).toEqual([]);
    expect(changesUpTo(events, DAY0 + 10 * 60 * MINUTE).length).toBeGreaterThan(40);
  });

  it('steps to the next event and lists the events of a range', () => {
    expect(timeline.nextEventAfter(DAY0)).toBe(DAY0 + 5 * MINUTE);
    expect(timeline.nextEventAfter(timeline.maxAt)).toBeUndefined();
    expect(timeline.previousEventBefore(DAY0 + 5 * MINUTE)).toBe(DAY0);
    expect(timeline.previousEventBefore(DAY0)).toBeUndefined();
    const between = [...timeline.eventsBetween(DAY0, DAY0 + 30 * MINUTE)];
    expect(between.map((e) => e.seq)).toEqual(events.filter((e) => atOf(e) >= DAY0 && atOf(e) <= DAY0 + 30 * MINUTE).map((e) => e.seq));
  });

  it('the next and previous event times are those of the log, from the timeline and from the times kept alone (windowed playback)', () => {
    const times = new EventTimes();
    for (const chunk of chunks) times.add(chunk);
    const timesOf = (list: StoredEvent[]) => [...new Set(list.map(atOf))].sort((a, b) => a - b);
    const all = timesOf(events);
    let checked = 0;
    // the whole range, then only grid B's events (the desk on a grid), then its district's (grids A and B, not C)
    for (const area of [null, GRID_B, GRID_B.slice(0, 6)]) {
      const ats = area === null ? all : timesOf(events.filter((e) => e.grid.startsWith(area)));
      const accept = area === null ? undefined : gridsIn(decoder.tables.grids, area);
      expect(ats.length, `events in ${area}`).toBeGreaterThan(2);
      for (const at of all) {
        for (const t of [at - 1, at, at + 1]) {
          const next = ats.find((x) => x > t);
          const previous = ats.findLast((x) => x < t);
          expect(timeline.nextEventAfter(t, accept), `next after ${t} in ${area}`).toBe(next);
          expect(times.nextEventAfter(t, accept), `next after ${t} in ${area}`).toBe(next);
          expect(timeline.previousEventBefore(t, accept), `previous before ${t} in ${area}`).toBe(previous);
          expect(times.previousEventBefore(t, accept), `previous before ${t} in ${area}`).toBe(previous);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(timesOf(events.filter((e) => e.grid.startsWith(GRID_B.slice(0, 6)))).length, 'the district holds some of the event times, not all').toBeLessThan(all.length);
    expect(chunks.length, 'the times span several chunks').toBeGreaterThan(3);
  });
});
