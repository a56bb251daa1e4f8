/**
 * The reducer's state at t for windowed playback (`GET /api/v1/history/state`, protocol/history-api.ts): the server
 * folds the area's events with `from ≤ at' ≤ t` in seq order through the shared reducer, with the same options as a
 * tab folding the range itself (PLAYBACK_FOLD_OPTIONS), so both give the same state.
 *
 * Folding a long range from its start for every request would cost O(events before t) each time, so a few folded
 * states ("cursors") are kept per (from, area) and moved forward: a cursor at t₀ moves to t > t₀ by folding the
 * events with t₀ < at' ≤ t when every one of them has a seq above the cursor's head (the store answers them in seq
 * order, so the first one decides). An event logged out of time order, or a jump back before every cursor, folds
 * afresh from `from`. Cursors are capped by how many incidents they hold together, since a playback state keeps
 * every case of its range.
 *
 * @example
 * ```ts
 * const folder = new HistoryStateFolder(store);
 * const answer = await folder.answer({ from, at, area: 'city', windowMs: 3_600_000 });
 * ```
 */
import { HISTORY_WINDOW_MAX_EVENTS, PLAYBACK_FOLD_OPTIONS, type HistoryStateAnswer } from '../../protocol/history-api';
import { incidentIdOf, type StoredEvent } from '../../protocol/events';
import { RecentChanges, TICKER_LENGTH } from '../../protocol/recent-changes';
import { createState, isOpenStatus, snapshotOf, type CityState } from '../../protocol/reducer';
import { shanghaiDay, shanghaiDayStart } from '../../protocol/time';
import { RECENT_CLOSED_MS } from '../search/grid-desk';
import type { EventStore } from '../store/event-store';

/** Events read per store page while folding. */
const PAGE_EVENTS = 5_000;
/** Ended incidents a state answer keeps: those that ended at most this long before t (what a wall still shows). */
export const HISTORY_STATE_RECENT_MS = 30 * 60_000;

/** Pages through a time range in seq order without holding it all. */
export async function* pages(store: EventStore, query: { from: number; to: number; area: string }, pageSize: number, max = Number.POSITIVE_INFINITY, startAfterSeq?: number): AsyncGenerator<StoredEvent[]> {
  let afterSeq = startAfterSeq;
  let left = max;
  while (left > 0) {
    const limit = Math.min(pageSize, left);
    const page = await store.readTimeRange({ ...query, ...(afterSeq !== undefined ? { afterSeq } : {}), limit });
    if (page.length === 0) return;
    yield page;
    left -= page.length;
    if (page.length < limit) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}

/**
 * A playback range with what its state at `from` needs: the state at t is the fold of every event up to t, and a
 * range's own events miss the cases reported before it that were still open (or had just ended, and still show as
 * dim dots), and the day's counters before `from` ("reported today"). So the stream starts at 00:00 China time on
 * the day of `from` and carries in, before that, every earlier event of the cases live then (open, just ended, or
 * touched again later: the store's `incidentsLiveAt`), merged in seq order. Folded, it gives the state at any t ≥
 * from exactly.
 */
export async function carriedIn(
  store: EventStore,
  query: { from: number; to: number; area: string },
  carried: CarrySource = (from, area) => carriedEvents(store, from, area),
): Promise<AsyncIterable<StoredEvent[]>> {
  const { start, earlier } = await carried(query.from, query.area);
  return mergeBySeq(earlier, pages(store, { from: start, to: query.to, area: query.area }, PAGE_EVENTS), PAGE_EVENTS);
}

/** What a carried-in stream starts with: `carriedEvents`, or a CarryCache's `carried`. */
export type CarrySource = (from: number, area: string) => Promise<{ start: number; earlier: readonly StoredEvent[] }>;

/**
 * Where a carried-in stream starts (00:00 China time on the day of `from`), and the earlier events, in seq order,
 * of the area's cases live then: open, ended within HISTORY_STATE_RECENT_MS before it (still a dim dot), or with
 * an event after it (a rating given after the close).
 */
export async function carriedEvents(store: EventStore, from: number, area: string): Promise<{ start: number; earlier: StoredEvent[] }> {
  const start = shanghaiDayStart(shanghaiDay(from));
  return { start, earlier: await eventsBefore(store, await store.incidentsLiveAt(start, start - HISTORY_STATE_RECENT_MS, area), start) };
}

/** The events before `start` of the incidents `ids`, in seq order. */
async function eventsBefore(store: EventStore, ids: readonly string[], start: number): Promise<StoredEvent[]> {
  const earlier: StoredEvent[] = [];
  for (let i = 0; i < ids.length; i += CARRY_READS_AT_ONCE) {
    const lists = await Promise.all(ids.slice(i, i + CARRY_READS_AT_ONCE).map((id) => store.incidentEvents(id)));
    for (const list of lists) for (const event of list) if (Date.parse(event.at) < start) earlier.push(event);
  }
  return earlier.sort((a, b) => a.seq - b.seq);
}

/** Incidents whose events are read at once while carrying in. */
const CARRY_READS_AT_ONCE = 32;

export interface CarryCacheOptions {
  /** (first day, area) pairs kept (default 4) */
  maxEntries?: number;
  /** how long an entry is used before it is read afresh (ms, default 10 min) */
  ttlMs?: number;
  /** entries with more carried-in events than this are not kept (default 250,000: about 100 MB) */
  maxEvents?: number;
  /** past this many new events in the log an entry is read afresh rather than brought up to date (default 50,000) */
  maxCatchUpEvents?: number;
  now?: () => number;
}

interface CarryEntry {
  start: number;
  /** the log's head when the entry was last brought up to date: later events are checked on the next use */
  head: number;
  earlier: readonly StoredEvent[];
  madeAt: number;
}

/**
 * `carriedEvents` for a playback's count, stream and windowed states, which all ask for the same (first day,
 * area): read once, then brought up to date from the log instead of scanned again. The carried-in set can change
 * only for incidents that an event after the entry's head touched (the projection row changes only with an event),
 * so those, and only those, are looked at again with the store's own test (`incidentsLiveAt` … `among`) and their
 * earlier events read afresh. The answer is always what `carriedEvents` would give at that moment; an entry is
 * never changed in place (a stream may still be reading it), each update makes a new one.
 */
export class CarryCache {
  private readonly entries = new Map<string, CarryEntry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly maxEvents: number;
  private readonly maxCatchUpEvents: number;
  private readonly now: () => number;
  /** full scans and catch-ups done (for tests) */
  readonly counts = { scans: 0, catchUps: 0 };

  constructor(
    private readonly store: EventStore,
    options: CarryCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 4;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxEvents = options.maxEvents ?? 250_000;
    this.maxCatchUpEvents = options.maxCatchUpEvents ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  /** The same answer as `carriedEvents(store, from, area)`. */
  readonly carried: CarrySource = async (from, area) => {
    const start = shanghaiDayStart(shanghaiDay(from));
    const key = `${start}|${area}`;
    // the head first: whatever commits after it is looked at on the next use
    const head = await this.store.headSeq();
    let entry = this.entries.get(key);
    // too old, or so far behind that reading what came since would cost more than a scan
    if (entry && (this.now() - entry.madeAt > this.ttlMs || head - entry.head > this.maxCatchUpEvents)) entry = undefined;
    if (!entry) {
      this.counts.scans++;
      entry = { start, head, earlier: (await carriedEvents(this.store, from, area)).earlier, madeAt: this.now() };
    } else if (entry.head < head) {
      this.counts.catchUps++;
      entry = await this.catchUp(entry, area, head);
    }
    this.entries.delete(key);
    if (entry.earlier.length <= this.maxEvents) this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return { start, earlier: entry.earlier };
  };

  private async catchUp(entry: CarryEntry, area: string, head: number): Promise<CarryEntry> {
    const touched = new Set<string>();
    for await (const page of this.store.streamSeqRange(entry.head, head, { area })) for (const event of page) touched.add(incidentIdOf(event));
    if (touched.size === 0) return { ...entry, head };
    const live = await this.store.incidentsLiveAt(entry.start, entry.start - HISTORY_STATE_RECENT_MS, area, [...touched]);
    const kept = entry.earlier.filter((event) => !touched.has(incidentIdOf(event)));
    const fresh = await eventsBefore(this.store, live, entry.start);
    return { ...entry, head, earlier: [...kept, ...fresh].sort((a, b) => a.seq - b.seq) };
  }
}

/** Merges a sorted array and sorted pages (both by seq, disjoint) into frames of at most `frame` events. */
async function* mergeBySeq(head: readonly StoredEvent[], tail: AsyncIterable<StoredEvent[]>, frame: number): AsyncGenerator<StoredEvent[]> {
  let i = 0;
  let out: StoredEvent[] = [];
  for await (const page of tail) {
    for (const event of page) {
      while (i < head.length && head[i]!.seq < event.seq) {
        out.push(head[i++]!);
        if (out.length === frame) yield out.splice(0);
      }
      out.push(event);
      if (out.length === frame) yield out.splice(0);
    }
  }
  while (i < head.length) {
    out.push(head[i++]!);
    if (out.length === frame) yield out.splice(0);
  }
  if (out.length > 0) yield out;
}

interface Cursor {
  key: string;
  t: number;
  state: CityState;
  /** the fold's last changes, for the ticker's rows at t */
  recent: RecentChanges;
  usedAt: number;
}

export interface HistoryStateQuery {
  from: number;
  at: number;
  area: string;
  /** how far after `at` the window of events reaches (ms) */
  windowMs: number;
  /** fold from the cases open at `from` and the day's counters (carriedIn), not from `from` alone */
  carry?: boolean;
}

export interface HistoryStateFolderOptions {
  /** incidents the kept cursors may hold together (default 4M) */
  maxIncidents?: number;
  /** where carried-in states start from (default: `carriedEvents`, read afresh each time; the routes share a CarryCache) */
  carried?: CarrySource;
  /** cursors kept at most (default 8) */
  maxCursors?: number;
}

export class HistoryStateFolder {
  private cursors: Cursor[] = [];
  private readonly maxIncidents: number;
  private readonly maxCursors: number;
  private readonly carried: CarrySource | undefined;
  /** Folds run one at a time: a cursor is moved forward in place. */
  private queue: Promise<unknown> = Promise.resolve();
  private uses = 0;
  /** events folded since start (for tests and metrics: a move forward folds only the new ones) */
  folded = 0;

  constructor(
    private readonly store: EventStore,
    options: HistoryStateFolderOptions = {},
  ) {
    this.maxIncidents = options.maxIncidents ?? 4_000_000;
    this.carried = options.carried;
    this.maxCursors = options.maxCursors ?? 8;
  }

  /** The state at `at` and the window after it, as protocol/history-api.ts describes. */
  answer(query: HistoryStateQuery): Promise<HistoryStateAnswer> {
    const run = this.queue.then(() => this.answerNow(query));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the state at `query.at` (folded as for `answer`, without a window) with `use`, inside the folder's queue:
   * the state belongs to a cursor that the next fold moves, so `use` must take what it needs before it returns.
   */
  read<T>(query: Omit<HistoryStateQuery, 'windowMs'>, use: (state: CityState) => T): Promise<T> {
    const run = this.queue.then(async () => use((await this.cursorAt(query.from, query.at, query.area, query.carry ?? false)).state));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the area's state at a past instant, as the desk's views need it (the case list, search, KPIs): folded from
   * 00:00 China time of the day the 24 h windows begin on, carrying in the cases open then, so every case open at
   * `at`, ended within the window or whistled within it is in the state. The start is the same for every `at` of a
   * day, so a playing desk moves one cursor forward instead of folding afresh. `use` as for `read`.
   */
  readPast<T>(area: string, at: number, use: (state: CityState) => T): Promise<T> {
    const from = shanghaiDayStart(shanghaiDay(at - RECENT_CLOSED_MS));
    return this.read({ from, at, area, carry: true }, use);
  }

  private async answerNow(query: HistoryStateQuery): Promise<HistoryStateAnswer> {
    const cursor = await this.cursorAt(query.from, query.at, query.area, query.carry ?? false);
    return stateAnswer(cursor.state, query, await this.window(query, cursor.state.headSeq), cursor.recent.latestFirst());
  }

  /**
   * The events after `at` that fold onto the state at `at` exactly: shortened to fit HISTORY_WINDOW_MAX_EVENTS
   * (halving the span) and to end before the first event whose seq is not above the state's head.
   */
  private async window(query: HistoryStateQuery, headSeq: number): Promise<{ to: number; events: StoredEvent[] }> {
    let span = Math.max(0, query.windowMs);
    let events: StoredEvent[] = [];
    for (;;) {
      if (span === 0) return { to: query.at, events: [] };
      events = await this.store.readTimeRange({ from: query.at + 1, to: query.at + span, area: query.area, limit: HISTORY_WINDOW_MAX_EVENTS + 1 });
      if (events.length <= HISTORY_WINDOW_MAX_EVENTS) break;
      span = Math.floor(span / 2);
    }
    let to = query.at + span;
    for (const event of events) if (event.seq <= headSeq) to = Math.min(to, Date.parse(event.at) - 1);
    return { to, events: events.filter((event) => Date.parse(event.at) <= to) };
  }

  /**
   * The fold of the area's events with from ≤ at' ≤ at (carrying in the cases open at `from` when `carry`), and its
   * last changes. The cursor's state moves with the next fold: read it, do not keep it.
   */
  private async cursorAt(from: number, at: number, area: string, carry: boolean): Promise<Cursor> {
    const key = `${from}|${area}|${carry}`;
    let best: Cursor | undefined;
    for (const cursor of this.cursors) if (cursor.key === key && cursor.t <= at && (!best || cursor.t > best.t)) best = cursor;
    if (best && best.t < at && !(await this.moveForward(best, at, area))) best = undefined;
    if (!best) {
      best = { key, t: at, state: createState(PLAYBACK_FOLD_OPTIONS), recent: new RecentChanges(TICKER_LENGTH), usedAt: 0 };
      const range = { from, to: at, area };
      for await (const page of carry ? await carriedIn(this.store, range, this.carried) : pages(this.store, range, PAGE_EVENTS)) this.fold(best, page);
      this.cursors.push(best);
    }
    best.usedAt = ++this.uses;
    this.trim(best);
    return best;
  }

  /** Moves a cursor forward to `at` when that is exact; answers false (cursor untouched) when it is not. */
  private async moveForward(cursor: Cursor, at: number, area: string): Promise<boolean> {
    let first = true;
    for await (const page of pages(this.store, { from: cursor.t + 1, to: at, area }, PAGE_EVENTS)) {
      if (first && page[0]!.seq <= cursor.state.headSeq) return false;
      first = false;
      this.fold(cursor, page);
    }
    cursor.t = at;
    return true;
  }

  private fold(cursor: Cursor, page: readonly StoredEvent[]): void {
    // A refused event is refused the same way by a tab folding the range: the states stay equal.
    for (const event of page) cursor.recent.apply(cursor.state, event);
    this.folded += page.length;
  }

  /** Drops the least recently used cursors beyond the caps (never the one just used). */
  private trim(keep: Cursor): void {
    const total = () => this.cursors.reduce((n, c) => n + c.state.incidents.size, 0);
    this.cursors.sort((a, b) => b.usedAt - a.usedAt);
    while (this.cursors.length > 1 && (this.cursors.length > this.maxCursors || total() > this.maxIncidents)) {
      const dropped = this.cursors.pop()!;
      if (dropped === keep) break;
    }
  }
}

/**
 * The answer for a state folded up to `query.at` and its window: the area's snapshot (two days of counters) with the
 * open cases, those ended within HISTORY_STATE_RECENT_MS, and those the window's events refer to.
 */
export function stateAnswer(state: CityState, query: Pick<HistoryStateQuery, 'from' | 'at' | 'area'>, window: HistoryStateAnswer['window'], recent: HistoryStateAnswer['recent']): HistoryStateAnswer {
  const referenced = new Set(window.events.map(incidentIdOf));
  const snapshot = snapshotOf(state, query.area, { days: 2 });
  snapshot.incidents = snapshot.incidents.filter((record) => {
    if (isOpenStatus(record.status) || referenced.has(record.id)) return true;
    const ended = record.closedAt ?? record.cancelledAt ?? record.updatedAt;
    return query.at - ended <= HISTORY_STATE_RECENT_MS;
  });
  return { from: query.from, at: query.at, area: query.area, recentMs: HISTORY_STATE_RECENT_MS, state: snapshot, recent, window };
}
