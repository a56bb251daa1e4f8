/**
 * The history of a range as playback holds it, and the city at any instant t of it: `stateAt(t)` is
 * `fold(events with at ≤ t)` through the shared reducer (protocol/reducer.ts), the same code as live.
 *
 * - Chunks (protocol/history-codec.ts) are added as they stream in. Each is folded once, in seq order, into a
 *   running state, and every `snapshotEvery` events a snapshot of it is kept, with the latest `at` it holds.
 * - `stateAt(t)` restores the latest snapshot whose events all lie at or before t, then folds the later events with
 *   at ≤ t (a chunk whose earliest event is after t is skipped by its header alone). So a jump folds at most
 *   about `snapshotEvery` events plus a scan of chunk headers.
 * - Moving forward (playing) continues from the previous state when that is exact: when no event skipped before the
 *   state's head falls into the new interval (events arriving late, out of time order, force a restore instead).
 *
 * @example
 * ```ts
 * const timeline = new PlaybackTimeline();
 * for (const chunk of chunks) timeline.add(chunk, decoder.tables);
 * const figures = kpis(timeline.stateAt(t), 'city', t);
 * ```
 */
import type { StoredEvent } from '../../protocol/events';
import { chunkAt, chunkEvents, type HistoryChunk, type HistoryTables } from '../../protocol/history-codec';
import { PLAYBACK_FOLD_OPTIONS } from '../../protocol/history-api';
import { applyEvent, createState, restoreSnapshot, snapshotOf, type CityState, type SerializedState } from '../../protocol/reducer';
import { RecentChanges, TICKER_LENGTH, type RecentChange } from '../../protocol/recent-changes';
import { nextAtAfter, previousAtBefore, type GridFilter } from './event-times';

interface Snapshot {
  /** the state after chunks[0, chunk) */
  chunk: number;
  /** the latest `at` among those events */
  maxAt: number;
  state: SerializedState;
}

interface Cursor {
  state: CityState;
  t: number;
  /** where the next scan starts: (chunk, index) */
  chunk: number;
  index: number;
  /** the earliest `at` among events skipped before the state's head (they forbid moving forward past it) */
  minSkippedAt: number;
  /** the last changes folded into the state (since the snapshot it was restored from), for the ticker */
  recent: RecentChanges;
}

export interface PlaybackTimelineOptions {
  /** events between snapshots (default 20,000) */
  snapshotEvery?: number;
  /** decoded chunks kept parsed (default 8) */
  parsedChunks?: number;
}

export class PlaybackTimeline {
  readonly chunks: HistoryChunk[] = [];
  private tables: HistoryTables = { grids: [], incidents: [] };
  private readonly snapshots: Snapshot[] = [];
  private readonly running = PlaybackTimeline.emptyState();
  private runningMaxAt = Number.NEGATIVE_INFINITY;
  private sinceSnapshot = 0;
  private cursor: Cursor | null = null;
  private readonly parsed = new Map<number, StoredEvent[]>();
  private readonly snapshotEvery: number;
  private readonly parsedChunks: number;
  /** events added so far */
  eventCount = 0;
  /** the earliest and latest `at` added */
  minAt = Number.POSITIVE_INFINITY;
  maxAt = Number.NEGATIVE_INFINITY;
  /** events the reducer refused while folding (should stay 0 for a log the server accepted) */
  rejected = 0;

  constructor(options: PlaybackTimelineOptions = {}) {
    this.snapshotEvery = options.snapshotEvery ?? 20_000;
    this.parsedChunks = options.parsedChunks ?? 8;
    if (!(this.snapshotEvery >= 1)) throw new RangeError(`snapshotEvery: must be ≥ 1, got ${this.snapshotEvery}`);
  }

  private static emptyState(): CityState {
    // The same options as the server's fold for windowed playback (server/http/history-state.ts).
    return createState(PLAYBACK_FOLD_OPTIONS);
  }

  /**
   * Adds a chunk (in stream order) and folds it into the running state. Returns the chunk's decoded events (the
   * points read categories and deadlines from them: no second decode).
   */
  add(chunk: HistoryChunk, tables: HistoryTables): StoredEvent[] {
    this.tables = tables;
    if (this.snapshots.length === 0) this.snapshots.push({ chunk: 0, maxAt: Number.NEGATIVE_INFINITY, state: snapshotOf(this.running, 'city') });
    const index = this.chunks.length;
    this.chunks.push(chunk);
    const events = this.eventsOf(index);
    for (const event of events) {
      if (!applyEvent(this.running, event).ok) this.rejected += 1;
    }
    this.eventCount += chunk.count;
    this.minAt = Math.min(this.minAt, chunk.minAt);
    this.maxAt = Math.max(this.maxAt, chunk.maxAt);
    this.runningMaxAt = Math.max(this.runningMaxAt, chunk.maxAt);
    this.sinceSnapshot += chunk.count;
    if (this.sinceSnapshot >= this.snapshotEvery) {
      this.snapshots.push({ chunk: index + 1, maxAt: this.runningMaxAt, state: snapshotOf(this.running, 'city') });
      this.sinceSnapshot = 0;
    }
    // A state computed before this chunk arrived may miss its events.
    this.cursor = null;
    return events;
  }

  /** How many snapshots are kept (for the benchmark and the status line). */
  get snapshotCount(): number {
    return this.snapshots.length;
  }

  /**
   * The city as it stood at t: the reducer's fold of every added event with `at` ≤ t. The returned state belongs
   * to the timeline and changes on the next call: read it, do not keep it.
   */
  stateAt(t: number): CityState {
    const cursor = this.cursor;
    if (cursor && t >= cursor.t && cursor.minSkippedAt > t) {
      this.scan(cursor, t);
      return cursor.state;
    }
    let best = this.snapshots[0];
    for (const snapshot of this.snapshots) if (snapshot.maxAt <= t && (!best || snapshot.chunk > best.chunk)) best = snapshot;
    const state = best ? restoreSnapshot(best.state) : PlaybackTimeline.emptyState();
    const fresh: Cursor = { state, t, chunk: best?.chunk ?? 0, index: 0, minSkippedAt: Number.POSITIVE_INFINITY, recent: new RecentChanges(TICKER_LENGTH) };
    this.scan(fresh, t);
    this.cursor = fresh;
    return fresh.state;
  }

  /**
   * The ticker's rows at t, latest first: the last changes the fold to t applied, in seq order, each with the case
   * as it left it; those in `area` (`city` or an area code). Right after a snapshot they may be fewer than the ticker
   * holds: LiveModel.applySnapshot seeds the rest, as live does.
   */
  recentAt(t: number, area = 'city'): RecentChange[] {
    // the fold stateAt(t) just made, or a fresh one
    if (this.cursor?.t !== t) this.stateAt(t);
    return this.cursor!.recent.latestFirst(area);
  }

  /** Folds the events after the cursor with at ≤ t, moving the cursor past the last one folded. */
  private scan(cursor: Cursor, t: number): void {
    let pendingSkipMin = Number.POSITIVE_INFINITY;
    for (let c = cursor.chunk; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const from = c === cursor.chunk ? cursor.index : 0;
      if (chunk.minAt > t) {
        pendingSkipMin = Math.min(pendingSkipMin, chunk.minAt);
        continue;
      }
      let events: StoredEvent[] | undefined;
      for (let i = from; i < chunk.count; i++) {
        const at = chunkAt(chunk, i);
        if (at > t) {
          if (at < pendingSkipMin) pendingSkipMin = at;
          continue;
        }
        events ??= this.eventsOf(c);
        if (!cursor.recent.apply(cursor.state, events[i]!, at).ok) this.rejected += 1;
        cursor.minSkippedAt = Math.min(cursor.minSkippedAt, pendingSkipMin);
        pendingSkipMin = Number.POSITIVE_INFINITY;
        cursor.chunk = c;
        cursor.index = i + 1;
      }
    }
    cursor.t = t;
  }

  /** The first event time after t (for "step to the next event"; of an event `accept` takes), or undefined at the end. */
  nextEventAfter(t: number, accept?: GridFilter): number | undefined {
    return nextAtAfter(this.chunks, t, accept);
  }

  /** The last event time before t (for "step to the previous event"; of an event `accept` takes), or undefined at the start. */
  previousEventBefore(t: number, accept?: GridFilter): number | undefined {
    return previousAtBefore(this.chunks, t, accept);
  }

  /** Every added event with at in [from, to], in seq order (for the CSV export and the ticker). */
  *eventsBetween(from: number, to: number): Generator<StoredEvent> {
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      if (chunk.maxAt < from || chunk.minAt > to) continue;
      const events = this.eventsOf(c);
      for (let i = 0; i < chunk.count; i++) {
        const at = chunkAt(chunk, i);
        if (at >= from && at <= to) yield events[i]!;
      }
    }
  }

  /** The parsed events of chunk c, from a small cache (parsing details is the costly part of a fold). */
  private eventsOf(c: number): StoredEvent[] {
    let events = this.parsed.get(c);
    if (events) {
      this.parsed.delete(c);
      this.parsed.set(c, events);
      return events;
    }
    events = chunkEvents(this.chunks[c]!, this.tables);
    this.parsed.set(c, events);
    if (this.parsed.size > this.parsedChunks) this.parsed.delete(this.parsed.keys().next().value as number);
    return events;
  }
}
