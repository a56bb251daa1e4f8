import { describe, expect, it } from 'vitest';
import { eventTime, type StoredEvent } from '../../protocol/events';
import {
  applyEvent,
  createState,
  decodeCheckpoint,
  encodeCheckpoint,
  evict,
  fold,
  recordAt,
  recountFromIncidents,
  restoreEvicted,
  restoreSnapshot,
  snapshotOf,
  SNAPSHOT_VERSION,
  type IncidentRecord,
} from '../../protocol/reducer';
import { kpis } from '../../protocol/kpi';
import { shanghaiDay } from '../../protocol/time';
import { DAY0, EventLog, GRID_A, GRID_B, GRID_C, HOUR, MINUTE } from './builders';
import { normaliseAreas } from './normalise';

/** A few incidents over two days in three grids, in time order (so seq order is time order). */
function busyLog(): EventLog {
  const log = new EventLog();
  const grids = [GRID_A, GRID_B, GRID_C];
  for (let i = 0; i < 12; i++) {
    log.lifecycle(`i${i}`, DAY0 + i * 3 * HOUR, { grid: grids[i % 3] as string, rating: 1 + (i % 5) });
  }
  log.reported('open1', DAY0 + 30 * HOUR, { grid: GRID_B });
  log.registered('open1', DAY0 + 30 * HOUR + MINUTE);
  log.whistled('open1', DAY0 + 30 * HOUR + 2 * MINUTE, 'w1', 'street', ['d-1']);
  log.reported('gone', DAY0 + 31 * HOUR, { grid: GRID_C });
  log.cancelled('gone', DAY0 + 31 * HOUR + MINUTE);
  // re-sequence in time order
  const events = log.events.slice().sort((a, b) => eventTime(a) - eventTime(b) || a.seq - b.seq);
  log.events.length = 0;
  events.forEach((event, i) => log.events.push({ ...event, seq: i + 1 }));
  return log;
}

describe('applyEvent', () => {
  it('refuses an event whose seq is not after the head seq, and leaves the state as it was', () => {
    const log = busyLog();
    const state = fold(log.events.slice(0, 5));
    const before = JSON.stringify(snapshotOf(state, 'city'));
    const stale = log.events[2] as StoredEvent;
    expect(applyEvent(state, stale)).toMatchObject({ ok: false, field: 'seq' });
    expect(JSON.stringify(snapshotOf(state, 'city'))).toBe(before);
  });

  it('leaves the state untouched when an event is illegal', () => {
    const log = new EventLog();
    log.reported('x', DAY0);
    const state = fold(log.events);
    const before = JSON.stringify(snapshotOf(state, 'city'));
    const illegal = log.closed('x', DAY0 + HOUR);
    expect(applyEvent(state, illegal)).toMatchObject({ ok: false, field: 'type' });
    expect(JSON.stringify(snapshotOf(state, 'city'))).toBe(before);
    expect(state.headSeq).toBe(1);
  });

  it('hands back the record before and after, so that screens can diff', () => {
    const log = new EventLog();
    const state = fold([log.reported('x', DAY0)]);
    const applied = applyEvent(state, log.registered('x', DAY0 + MINUTE));
    expect(applied).toMatchObject({ ok: true, prev: { status: 'reported' }, next: { status: 'registered' } });
  });

  it('updates the counters of the five areas of the incident and no others', () => {
    const log = new EventLog();
    const state = fold([log.reported('x', DAY0, { grid: GRID_C })]);
    expect([...state.areas.keys()].sort()).toEqual(['530103', '530103002', '530103002001', GRID_C, 'city'].sort());
    for (const counters of state.areas.values()) expect(counters.open).toBe(1);
  });
});

describe('fold', () => {
  it('at every instant equals the state built by applying events one by one', () => {
    const log = busyLog();
    const live = createState();
    for (const event of log.events) {
      applyEvent(live, event);
      const t = eventTime(event);
      const replayed = fold(log.events.filter((e) => e.seq <= event.seq && eventTime(e) <= t));
      expect(snapshotOf(replayed, 'city')).toEqual(snapshotOf(live, 'city'));
      expect(kpis(replayed, '530102', t)).toEqual(kpis(live, '530102', t));
    }
  });

  it('reports refused events and skips them', () => {
    const log = new EventLog();
    log.reported('x', DAY0);
    log.closed('x', DAY0 + MINUTE);
    const refused: string[] = [];
    const state = fold(log.events, { onReject: (event, field) => refused.push(`${event.type}:${field}`) });
    expect(refused).toEqual(['incident.closed:type']);
    expect(state.incidents.get('x')?.status).toBe('reported');
  });

  it('keeps counters equal to a recount from the incidents', () => {
    const state = fold(busyLog().events);
    expect(normaliseAreas(state.areas)).toEqual(normaliseAreas(recountFromIncidents(state.incidents.values())));
  });
});

describe('evict', () => {
  it('drops closed and cancelled incidents past the retention but keeps every counter and KPI', () => {
    const log = busyLog();
    const state = fold(log.events, { retainClosedMs: 6 * HOUR });
    const now = DAY0 + 36 * HOUR;
    const countersBefore = normaliseAreas(state.areas);
    const kpisBefore = kpis(state, 'city', now);
    const dropped = evict(state, now);
    expect(dropped).toBeGreaterThan(0);
    expect(normaliseAreas(state.areas)).toEqual(countersBefore);
    expect(kpis(state, 'city', now)).toEqual(kpisBefore);
    for (const record of state.incidents.values()) {
      const ended = record.closedAt ?? record.cancelledAt;
      if (ended !== undefined) expect(record.updatedAt).toBeGreaterThanOrEqual(now - 6 * HOUR);
    }
    expect(state.incidents.has('open1')).toBe(true);
  });

  it('keeps at most maxEnded ended incidents, oldest-ended first, inside the retention too, with counters and KPIs unchanged', () => {
    const log = busyLog();
    const state = fold(log.events, { maxEnded: 3 });
    const now = DAY0 + 32 * HOUR;
    const countersBefore = normaliseAreas(state.areas);
    const kpisBefore = kpis(state, 'city', now);
    const endedBefore = [...state.incidents.values()].filter((r) => r.closedAt !== undefined || r.cancelledAt !== undefined);
    expect(endedBefore.length).toBeGreaterThan(3);
    const dropped = evict(state, now);
    const endedAfter = [...state.incidents.values()].filter((r) => r.closedAt !== undefined || r.cancelledAt !== undefined);
    expect(endedAfter.length).toBeLessThanOrEqual(3);
    expect(dropped).toBe(endedBefore.length - endedAfter.length);
    // the newest-ended stay: 'gone' (cancelled last) is among them
    expect(state.incidents.has('gone')).toBe(true);
    expect(state.incidents.has('open1')).toBe(true);
    expect(normaliseAreas(state.areas)).toEqual(countersBefore);
    expect(kpis(state, 'city', now)).toEqual(kpisBefore);
    expect(() => createState({ maxEnded: -1 })).toThrow(/maxEnded/);
  });

  it('drops by when a case ended, not by when its events arrived: a late feed of long-closed cases leaves on time', () => {
    // 'recent' closes at 10:50 and arrives first; 'old' and 'older', closed at 01:50 and 00:50, arrive after it (a
    // feed that sends the night's cases late)
    const log = new EventLog();
    log.lifecycle('recent', DAY0 + 9 * HOUR, { grid: GRID_A });
    log.lifecycle('old', DAY0 + HOUR, { grid: GRID_B });
    log.lifecycle('older', DAY0, { grid: GRID_C });
    const state = fold(log.events, { retainClosedMs: 2 * HOUR });
    // at 11:00 the two ended over 2 h ago go, the one ended 10 min ago stays
    expect(evict(state, DAY0 + 11 * HOUR)).toBe(2);
    expect([...state.incidents.keys()]).toEqual(['recent']);
    // and over a cap the longest-ended go first, whatever the arrival order
    const capped = fold(log.events, { maxEnded: 1 });
    expect(evict(capped, DAY0 + 11 * HOUR)).toBe(2);
    expect([...capped.incidents.keys()]).toEqual(['recent']);
  });

  it('a late event of an evicted case folds exactly once its record is restored', () => {
    const log = new EventLog();
    log.lifecycle('late', DAY0, { grid: GRID_A });
    log.lifecycle('other', DAY0 + HOUR, { grid: GRID_B });
    log.rated('late', DAY0 + 5 * HOUR, 2);
    const rating = log.events[log.events.length - 1] as StoredEvent;
    const truth = fold(log.events);
    const state = fold(log.events.slice(0, -1), { maxEnded: 1 });
    const record = state.incidents.get('late') as IncidentRecord;
    evict(state, DAY0 + 4 * HOUR);
    expect(state.incidents.has('late')).toBe(false);
    // without its record the rating is refused as unknown; with it, the counters end as if nothing was evicted
    const probe = fold(log.events.slice(0, -1), { maxEnded: 1 });
    evict(probe, DAY0 + 4 * HOUR);
    expect(applyEvent(probe, rating).ok).toBe(false);
    expect(restoreEvicted(state, record)).toBe(true);
    expect(restoreEvicted(state, record)).toBe(false);
    expect(applyEvent(state, rating).ok).toBe(true);
    expect(normaliseAreas(state.areas)).toEqual(normaliseAreas(truth.areas));
  });

  it('drops day counters older than the retained days', () => {
    const state = fold(busyLog().events, { retainDays: 1 });
    const now = DAY0 + 30 * HOUR;
    evict(state, now);
    for (const counters of state.areas.values()) expect([...counters.days.keys()].every((day) => day === shanghaiDay(now))).toBe(true);
    expect(state.areas.get('city')?.days.size).toBe(1);
  });
});

describe('snapshots and checkpoints', () => {
  it('a city snapshot survives a JSON round trip and folds on identically', () => {
    const log = busyLog();
    const head = log.events.slice(0, 40);
    const tail = log.events.slice(40);
    const restored = restoreSnapshot(JSON.parse(JSON.stringify(snapshotOf(fold(head), 'city'))));
    fold(tail, { into: restored });
    expect(snapshotOf(restored, 'city')).toEqual(snapshotOf(fold(log.events), 'city'));
  });

  it('an area snapshot holds only that area', () => {
    const snapshot = snapshotOf(fold(busyLog().events), '530103');
    const restored = restoreSnapshot(snapshot);
    expect(restored.incidents.size).toBeGreaterThan(0);
    expect([...restored.incidents.values()].every((record) => record.grid.startsWith('530103'))).toBe(true);
    expect(snapshot.areas.map((a) => a.code).every((code) => code.startsWith('530103'))).toBe(true);
  });

  it('an area snapshot keeps exact figures for its area as events of the area follow', () => {
    const log = busyLog();
    const inArea = log.events.filter((e) => e.grid.startsWith('530102'));
    const restored = restoreSnapshot(snapshotOf(fold(log.events.slice(0, 30)), '530102'));
    fold(inArea.filter((e) => e.seq > 30), { into: restored });
    const t = DAY0 + 40 * HOUR;
    expect(kpis(restored, '530102', t)).toEqual(kpis(fold(log.events), '530102', t));
  });

  it('a screen snapshot can keep only the latest days of counters, and today\'s KPIs survive it', () => {
    const state = fold(busyLog().events);
    const t = state.clock;
    const slim = snapshotOf(state, 'city', { days: 1 });
    expect(slim.areas.every((a) => a.days.every(([day]) => day === shanghaiDay(t)))).toBe(true);
    expect(kpis(restoreSnapshot(slim), '530102', t)).toEqual(kpis(state, '530102', t));
    expect(() => snapshotOf(state, 'city', { days: 0 })).toThrow(/^days:/);
  });

  it('a checkpoint round-trips the whole state', () => {
    const state = fold(busyLog().events);
    const bytes = encodeCheckpoint(state);
    expect(bytes[0]).toBe(SNAPSHOT_VERSION);
    const decoded = decodeCheckpoint(bytes);
    expect(snapshotOf(decoded, 'city')).toEqual(snapshotOf(state, 'city'));
    expect(decoded.unresolved.size).toBe(state.unresolved.size);
  });

  it('refuses damaged checkpoints and malformed areas with a reason', () => {
    const bytes = encodeCheckpoint(fold(busyLog().events));
    expect(() => decodeCheckpoint(bytes.subarray(0, 1))).toThrow(/too short/);
    expect(() => decodeCheckpoint(Uint8Array.of(9, 123, 125))).toThrow(/version byte 9/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 50))).toThrow(/damaged JSON/);
    expect(() => snapshotOf(createState(), 'nope')).toThrow(/^area:/);
    const snapshot = snapshotOf(fold(busyLog().events), 'city');
    expect(() => restoreSnapshot({ ...snapshot, incidents: [null as unknown as IncidentRecord] })).toThrow(/^incidents\[0\]: must be an incident record/);
  });
});

describe('recordAt', () => {
  it('is each case as the whole city folded to t has it, at every instant an event happened and just before it', () => {
    const log = busyLog();
    const byCase = new Map<string, StoredEvent[]>();
    for (const event of log.events) {
      const id = 'incident' in event ? event.incident.id : event.incidentId;
      byCase.set(id, [...(byCase.get(id) ?? []), event]);
    }
    let compared = 0;
    for (const t of log.events.flatMap((e) => [eventTime(e) - 1, eventTime(e)])) {
      const city = fold(log.events.filter((e) => eventTime(e) <= t));
      for (const [id, events] of byCase) {
        expect(recordAt(events, t), `${id} at ${new Date(t).toISOString()}`).toEqual(city.incidents.get(id));
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('leaves out what came after t: a rating given after the close, and the whole case before its report', () => {
    const log = new EventLog();
    log.lifecycle('x', DAY0);
    log.rated('x', DAY0 + 3 * HOUR, 4);
    const closedAt = eventTime(log.events.find((e) => e.type === 'incident.closed') as StoredEvent);
    expect(recordAt(log.events, DAY0 + 3 * HOUR)).toMatchObject({ status: 'closed', satisfaction: 4 });
    const before = recordAt(log.events, DAY0 + 3 * HOUR - 1);
    expect(before).toMatchObject({ status: 'closed' });
    expect(before?.satisfaction).toBeUndefined();
    expect(recordAt(log.events, closedAt - 1)?.status).not.toBe('closed');
    expect(recordAt(log.events, DAY0 - 1)).toBeUndefined();
  });
});
