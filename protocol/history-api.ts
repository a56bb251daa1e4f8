/**
 * The history API's JSON shapes and the rules both sides apply, written once for the server
 * (server/http/history-routes.ts, history-state.ts) and playback (client/playback/):
 *
 * - `HistoryAggregate`: `GET /api/v1/history/aggregate` (timeline histogram, per-grid counts and the range's event
 *   total, which playback reads before it loads anything to choose its mode);
 * - `HistoryStateAnswer`: `GET /api/v1/history/state` (the reducer's state at t, folded by the server, and the
 *   window of events after t that a client folds itself);
 * - `PLAYBACK_FOLD_OPTIONS`: the reducer options of a playback fold, the same on both sides, so that a state folded
 *   by the server and one folded by the client are the same state;
 * - `HISTORY_DETAIL_BUDGET`: the most events a client folds in full (above it playback goes windowed).
 *
 * @example
 * ```ts
 * const aggregate = (await (await fetch(`/api/v1/history/aggregate?from=${from}&to=${to}`)).json()) as HistoryAggregate;
 * const mode = playbackModeFor(aggregate.total);
 * ```
 */
import type { StoredEvent } from './events';
import type { ReducerOptions, SerializedState } from './reducer';
import type { RecentChange } from './recent-changes';

/** Per time bucket and per grid: how many incidents were reported, closed, whistled in the range. */
export interface HistoryAggregate {
  from: number;
  to: number;
  area: string;
  bucketMs: number;
  /** every event of the range (the sum of `events`) */
  total: number;
  /** per bucket i (starting at from + i·bucketMs): every event, and reports */
  events: number[];
  reported: number[];
  /** per grid code: reported, closed, cancelled, whistles, ratings and their sum of satisfaction (mean = sum / ratings) */
  grids: Record<string, GridAggregate>;
}

export interface GridAggregate {
  reported: number;
  closed: number;
  cancelled: number;
  whistles: number;
  ratings: number;
  satisfactionSum: number;
}

/**
 * What `GET /api/v1/history/count` answers: at most how many events the range holds (the per-day rollups of every
 * Asia/Shanghai day it touches), cheap enough to ask before loading.
 */
export interface HistoryCount {
  from: number;
  to: number;
  area: string;
  atMost: number;
}

/** The default histogram bucket: the range split into 240 buckets, at least one second each. */
export function defaultBucketMs(from: number, to: number): number {
  return Math.max(1_000, Math.ceil((to - from + 1) / 240));
}

/**
 * Playback keeps closed cases for the whole range (the map filters them by time on the GPU instead) and every day
 * counter of a range of up to 400 days.
 */
export const PLAYBACK_FOLD_OPTIONS: Required<ReducerOptions> = { retainClosedMs: Number.MAX_SAFE_INTEGER, retainDays: 400, maxEnded: Number.MAX_SAFE_INTEGER };

/**
 * Above this many events a range is played windowed: the client keeps only the GPU columns of the whole range and
 * takes the state at t from the server. 1M events folded in full hold about 375 B each in a tab
 * (bench/results/history.json), so the budget keeps a detailed range under about 400 MB.
 */
export const HISTORY_DETAIL_BUDGET = 1_000_000;

/** `detailed`: every event is folded in the tab. `windowed`: the server folds, the tab folds a window after t. */
export type PlaybackMode = 'detailed' | 'windowed';

export function playbackModeFor(total: number, budget = HISTORY_DETAIL_BUDGET): PlaybackMode {
  return total > budget ? 'windowed' : 'detailed';
}

/** A window answers at most this many events (a longer one is shortened, see `HistoryStateAnswer.window`). */
export const HISTORY_WINDOW_MAX_EVENTS = 50_000;
/** The longest window a state answer covers after `at`: 31 days, in ms. */
export const HISTORY_STATE_MAX_WINDOW_MS = 31 * 86_400_000;

/**
 * What `GET /api/v1/history/state?from&at&area&window` answers:
 *
 * - `state`: the reducer's fold of the area's events with `from ≤ at' ≤ at`, in seq order, with
 *   PLAYBACK_FOLD_OPTIONS, as `snapshotOf(state, area, { days: 2 })`; its incidents are those open at `at`, those
 *   that ended within `recentMs` before it, and every incident an event of the window refers to (so the window
 *   folds onto it exactly);
 * - `window`: the events with `at < at' ≤ window.to`, in seq order. Every one has a seq above `state.headSeq`, so
 *   for any t in [at, window.to], folding the window's events with at' ≤ t onto `state` gives exactly the state at t.
 *   The server shortens the window (`window.to` < `at + window`) before the first event logged out of time order
 *   (a seq below the state's head) and to at most HISTORY_WINDOW_MAX_EVENTS events.
 */
export interface HistoryStateAnswer {
  from: number;
  at: number;
  area: string;
  /** ended incidents kept in `state`: those that ended at most this long before `at` */
  recentMs: number;
  state: SerializedState;
  /**
   * The fold's last changes up to `at` (at most TICKER_LENGTH, protocol/recent-changes.ts), latest first, each event
   * with the case as it left it: the ticker's rows at `at`, which the window's events then add to.
   */
  recent: RecentChange[];
  window: { to: number; events: StoredEvent[] };
}
