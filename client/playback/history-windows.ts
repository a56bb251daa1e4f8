/**
 * The state at t of a range too large to fold in the tab (windowed playback, protocol/history-api.ts): the server
 * folds the range up to an instant `at` (`GET /api/v1/history/state`) and answers the events of a window after it;
 * the tab restores that state and folds the window's events with at' ≤ t onto it, which is exactly the reducer's
 * state at t for any t in the window. Windows are fetched on demand, the next one ahead of the playhead, and the
 * least recently used are dropped, so memory stays at a few windows whatever the range's size.
 *
 * ```
 * stateAt(t) ── window holds t? ── yes ─► restore its state, fold its events with at' ≤ t ─► CityState
 *                    │ no
 *                    └─► fetch state at t + window (one at a time; the latest t asked wins) ─► onLoaded()
 * ```
 *
 * @example
 * ```ts
 * const windows = new HistoryWindows({ load: (at, span) => loadHistoryState(range, at, span), windowMs: (at) => windowSpanFor(aggregate, at), onLoaded: redraw, onError: show });
 * const state = windows.stateAt(t); // undefined while its window loads
 * ```
 */
import type { StoredEvent } from '../../protocol/events';
import { HISTORY_DETAIL_BUDGET, type HistoryAggregate, type HistoryStateAnswer } from '../../protocol/history-api';
import { restoreSnapshot, type CityState, type SerializedState } from '../../protocol/reducer';
import { RecentChanges, type RecentChange } from '../../protocol/recent-changes';

export interface HistoryWindowsOptions {
  /** fetches the state at `at` and the events of the `windowMs` after it */
  load: (at: number, windowMs: number) => Promise<HistoryStateAnswer>;
  /** how long a window starting at `at` should be */
  windowMs: (at: number) => number;
  /** a window arrived: the state at the wanted t can now be answered */
  onLoaded: () => void;
  onError: (error: Error) => void;
  /** windows kept (default 4) */
  entries?: number;
}

interface Window {
  at: number;
  to: number;
  state: SerializedState;
  events: StoredEvent[];
  eventAt: Float64Array;
  /** the server's latest changes up to `at`, latest first: the ticker's rows before the window's events add to them */
  recent: RecentChange[];
  /** the last state answered from this window, and where its fold stands */
  folded: Folded | null;
}

interface Folded {
  t: number;
  state: CityState;
  /** the next event (index) to look at */
  next: number;
  /** the earliest `at` among events skipped before `next`: moving forward past it needs a fresh fold */
  minSkippedAt: number;
  /** the last changes folded onto the window's state, for the ticker */
  recent: RecentChanges;
}

/** Fetch the next window once the playhead is this far into the current one. */
const PREFETCH_AT = 0.7;

export class HistoryWindows {
  private windows: Window[] = [];
  private readonly entries: number;
  private loadingAt: number | null = null;
  private wanted: number | null = null;
  private closed = false;
  /** windows fetched so far */
  loads = 0;
  /** window events the reducer refused (stays 0 for a log the server accepted) */
  rejected = 0;

  constructor(private readonly options: HistoryWindowsOptions) {
    this.entries = options.entries ?? 4;
    if (!(Number.isInteger(this.entries) && this.entries >= 1)) throw new RangeError(`entries: must be a whole number ≥ 1, got ${this.entries}`);
  }

  /** Windows held now (at most `entries`). */
  get held(): number {
    return this.windows.length;
  }

  /**
   * The reducer's state at t, or undefined while the window holding t loads (`onLoaded` follows). The returned
   * state belongs to the window: read it, do not keep it.
   */
  stateAt(t: number): CityState | undefined {
    const window = this.find(t);
    if (!window) {
      this.request(t);
      return undefined;
    }
    this.windows = [window, ...this.windows.filter((w) => w !== window)];
    if (window.to > window.at && t - window.at >= PREFETCH_AT * (window.to - window.at) && !this.find(window.to + 1)) this.request(window.to + 1, false);
    return this.foldTo(window, t);
  }

  /**
   * The ticker's rows at t, latest first (those in `area`: `city` or an area code): the last changes of the fold to
   * t (the server's up to the window's start, then the window's), each with the case as it left it; undefined while
   * the window holding t loads.
   */
  recentAt(t: number, area = 'city'): RecentChange[] | undefined {
    // the fold stateAt(t) just made, or a fresh one (which may have to load its window first)
    const folded = this.find(t)?.folded;
    if (folded?.t === t) return folded.recent.latestFirst(area);
    return this.stateAt(t) ? this.find(t)!.folded!.recent.latestFirst(area) : undefined;
  }

  /**
   * Folds the window's events with at' ≤ t, in seq order, onto its state. Playing forward continues the previous
   * fold unless an event skipped before its head falls at or before t (it would have to be folded before events
   * already folded): then the window's state is restored afresh.
   */
  private foldTo(window: Window, t: number): CityState {
    let folded = window.folded;
    if (folded?.t === t) return folded.state;
    if (!folded || t < folded.t || folded.minSkippedAt <= t) folded = { t, state: restoreSnapshot(window.state), next: 0, minSkippedAt: Number.POSITIVE_INFINITY, recent: RecentChanges.of(window.recent) };
    let pendingSkip = Number.POSITIVE_INFINITY;
    for (let i = folded.next; i < window.events.length; i++) {
      const at = window.eventAt[i]!;
      if (at > t) {
        if (at < pendingSkip) pendingSkip = at;
        continue;
      }
      // Refused: an event of a case reported before the range's `from` (refused the same way by the server's fold).
      if (!folded.recent.apply(folded.state, window.events[i]!, at).ok) this.rejected += 1;
      folded.minSkippedAt = Math.min(folded.minSkippedAt, pendingSkip);
      pendingSkip = Number.POSITIVE_INFINITY;
      folded.next = i + 1;
    }
    folded.t = t;
    window.folded = folded;
    return folded.state;
  }

  /** Stops: answers still on their way are dropped. */
  close(): void {
    this.closed = true;
    this.windows = [];
  }

  private find(t: number): Window | undefined {
    return this.windows.find((w) => w.at <= t && t <= w.to);
  }

  /** Fetches the window at t; one fetch at a time, and the latest t asked for (not a prefetch) goes next. */
  private request(t: number, wanted = true): void {
    if (this.loadingAt !== null) {
      if (wanted && this.loadingAt !== t) this.wanted = t;
      return;
    }
    this.loadingAt = t;
    this.options
      .load(t, this.options.windowMs(t))
      .then((answer) => {
        if (this.closed) return;
        const eventAt = new Float64Array(answer.window.events.length);
        answer.window.events.forEach((event, i) => (eventAt[i] = Date.parse(event.at)));
        this.windows.unshift({ at: answer.at, to: answer.window.to, state: answer.state, events: answer.window.events, eventAt, recent: answer.recent, folded: null });
        if (this.windows.length > this.entries) this.windows.length = this.entries;
        this.loads += 1;
        this.options.onLoaded();
      })
      .catch((error: unknown) => {
        if (!this.closed) this.options.onError(error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => {
        this.loadingAt = null;
        const next = this.wanted;
        this.wanted = null;
        if (!this.closed && next !== null && !this.find(next)) this.request(next);
      });
  }
}

/**
 * A window length that holds about `targetEvents` events after `at`, estimated from the aggregate's histogram
 * (events spread evenly within a bucket); at least one second, and at most to the end of the range.
 */
export function windowSpanFor(aggregate: HistoryAggregate, at: number, targetEvents = 20_000): number {
  let span = 0;
  let count = 0;
  let cursor = Math.max(at, aggregate.from);
  for (let bucket = Math.floor((cursor - aggregate.from) / aggregate.bucketMs); bucket < aggregate.events.length && cursor <= aggregate.to; bucket++) {
    const end = Math.min(aggregate.to + 1, aggregate.from + (bucket + 1) * aggregate.bucketMs);
    const part = end - cursor;
    const events = ((aggregate.events[bucket] ?? 0) * part) / aggregate.bucketMs;
    if (count + events >= targetEvents && events > 0) return Math.max(1_000, Math.floor(span + ((targetEvents - count) / events) * part));
    count += events;
    span += part;
    cursor = end;
  }
  return Math.max(1_000, Math.floor(span + Math.max(0, at - cursor)));
}

/**
 * The detail budget for this page: `?budget=<events>` in the URL lowers (or raises) HISTORY_DETAIL_BUDGET, so that
 * windowed playback can be shown and tested on a small range. Anything but a whole number keeps the default.
 */
export function detailBudgetOf(search: string): number {
  const value = new URLSearchParams(search).get('budget');
  return value !== null && /^\d{1,10}$/.test(value) ? Number(value) : HISTORY_DETAIL_BUDGET;
}
