/**
 * The shared reducer: folds stored events into the state of a city (incidents plus per-area counters). One module
 * for the server (ingest validation, projection, snapshots, KPIs), the live client and playback; pure TypeScript
 * with no Node or DOM APIs, so it bundles into the browser.
 *
 * - `transition` (protocol/transition.ts) is the per-incident state machine.
 * - `applyEvent` applies one stored event to a `CityState`, updating the counters of the incident's five areas
 *   (city, district, street, community, grid) incrementally: O(levels) work per event.
 * - `fold(events ≤ t)` is the state at t; `kpis(state, area, t)` (protocol/kpi.ts) its figures.
 * - Overdue counts change with time alone: protocol/overdue.ts keeps them per area lazily (a deadline heap drained
 *   when KPIs are asked for, or by `evict`).
 * - `evict` bounds memory on long runs; `snapshotOf` / `encodeCheckpoint` (protocol/snapshot.ts) serialise.
 *
 * @example
 * ```ts
 * const state = createState();
 * for (const event of batch.events) {
 *   const applied = applyEvent(state, event);
 *   if (applied.ok) shadeGrid(applied.next.grid, state.areas.get(applied.next.grid));
 * }
 * const figures = kpis(state, '530102', Date.now());
 * ```
 */
import { incidentIdOf, type StoredEvent } from './events';
import { applyDelta, dropDaysBefore } from './counters';
import { advanceOverdue, trackOverdue } from './overdue';
import { isOpenStatus, isUnresolvedStatus, transition, type IncidentRecord, type Transition } from './transition';
import { chainOf, createState, endedAt, type CityState, type ReducerOptions } from './state';
import { heapPop, heapPush } from './min-heap';
import { shanghaiDay } from './time';

export * from './transition';
export * from './counters';
export * from './state';
export * from './snapshot';
export { advanceOverdue } from './overdue';

/** The result of `applyEvent`: the transition, with the record before it so that callers can diff. */
export type Applied =
  | { ok: true; prev: IncidentRecord | undefined; next: IncidentRecord }
  | { ok: false; field: string; reason: string };

/**
 * Applies a stored event: mutates `state` and updates the counters of the incident's areas incrementally. Events
 * must come in seq order. An illegal event (including a seq not above `headSeq`) leaves the state untouched and
 * answers the field and the reason.
 */
export function applyEvent(state: CityState, event: StoredEvent): Applied {
  if (!(event.seq > state.headSeq)) {
    return { ok: false, field: 'seq', reason: `seq ${event.seq} is not after the state's head seq ${state.headSeq}` };
  }
  const prev = state.incidents.get(incidentIdOf(event));
  const result: Transition = transition(prev, event, event.grid, event.seq);
  if (!result.ok) return result;
  const next = result.next;
  state.incidents.set(next.id, next);
  applyDelta(chainOf(state, next.grid), prev, next);
  if (isUnresolvedStatus(next.status)) state.unresolved.set(next.id, next);
  else if (prev !== undefined && isUnresolvedStatus(prev.status)) state.unresolved.delete(next.id);
  if (prev !== undefined && isOpenStatus(prev.status) && !isOpenStatus(next.status)) heapPush(state.ended, { key: endedAt(next), id: next.id });
  trackOverdue(state, prev, next);
  state.headSeq = event.seq;
  if (next.updatedAt > state.clock) state.clock = next.updatedAt;
  return { ok: true, prev, next };
}

/**
 * Puts an evicted incident's record (from the store's projection) back into the live map, so that a late event of it,
 * such as a rating after `evict` dropped the closed case, folds exactly as it would have. Counters are untouched: they
 * counted the incident before it was evicted. Only ended incidents are restored (open ones are never evicted); returns
 * whether the record was put back.
 */
export function restoreEvicted(state: CityState, record: IncidentRecord): boolean {
  if (state.incidents.has(record.id) || isOpenStatus(record.status)) return false;
  state.incidents.set(record.id, record);
  heapPush(state.ended, { key: endedAt(record), id: record.id });
  return true;
}

export interface FoldOptions extends ReducerOptions {
  /** Called for each event the reducer refuses (such events are skipped). */
  onReject?: (event: StoredEvent, field: string, reason: string) => void;
  /** Fold into this state instead of a new one (e.g. one restored from a checkpoint). */
  into?: CityState;
}

/**
 * Folds events (in seq order) into a state. `fold(events with at ≤ t)` is the city as it stood at t.
 *
 * @example
 * ```ts
 * const atNoon = fold(events.filter((e) => Date.parse(e.at) <= noon));
 * kpis(atNoon, 'city', noon);
 * ```
 */
export function fold(events: Iterable<StoredEvent>, options: FoldOptions = {}): CityState {
  const state = options.into ?? createState(options);
  for (const event of events) {
    const applied = applyEvent(state, event);
    if (!applied.ok) options.onReject?.(event, applied.field, applied.reason);
  }
  return state;
}

/**
 * Drops closed and cancelled incidents that ended more than `retainClosedMs` before `now` from the live map (and the
 * longest-ended beyond `maxEnded`, whatever their age), and day counters older than `retainDays`. Counters of the
 * retained days are kept as they are, so KPIs do not change. Returns the number of incidents dropped. Call it
 * periodically (e.g. every minute) on long runs: it takes the ended incidents from a heap keyed by when they ended
 * (O(log n) each), so a case is dropped on time even when its events arrived after those of cases that ended later
 * (a feed that sends a day's closed cases at night), and trims day counters only when the day turns.
 *
 * Contract: an event for an evicted incident is refused as an unknown incident, and a new report that reuses an
 * evicted incident's id would be taken as new: ingest must check the store for known ids.
 */
export function evict(state: CityState, now: number): number {
  // Draining passed deadlines here too keeps the overdue heap bounded when nobody asks for KPIs.
  advanceOverdue(state, now);
  const cutoff = now - state.options.retainClosedMs;
  const ended = state.ended;
  let dropped = 0;
  // Over the cap, the longest-ended go whatever their age (entries of already dropped ids count too, so the heap
  // itself stays bounded).
  while (ended.length > state.options.maxEnded) {
    const entry = heapPop(ended)!;
    const record = state.incidents.get(entry.id);
    if (record !== undefined && !isOpenStatus(record.status)) {
      state.incidents.delete(entry.id);
      dropped += 1;
    }
  }
  while (ended.length > 0 && ended[0]!.key < cutoff) {
    const entry = heapPop(ended)!;
    const record = state.incidents.get(entry.id);
    // gone already (dropped over the cap, or an older entry of a restored case), or open again: nothing to drop
    if (record === undefined || isOpenStatus(record.status)) continue;
    // A closed case may still be rated: keep it until the retention has passed since its last event too.
    if (record.updatedAt >= cutoff) heapPush(ended, { key: record.updatedAt, id: entry.id });
    else {
      state.incidents.delete(entry.id);
      dropped += 1;
    }
  }

  const oldestDay = shanghaiDay(now) - state.options.retainDays + 1;
  if (oldestDay > state.daysFrom) {
    for (const area of state.areas.values()) dropDaysBefore(area, oldestDay);
    state.daysFrom = oldestDay;
  }
  return dropped;
}
