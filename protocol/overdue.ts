/**
 * Overdue counts per area, kept lazily. Whether a case is overdue changes with time alone (its deadline passes
 * with no event), so the counters cannot move on events only. Instead a min-heap of deadlines is drained up to the
 * instant asked about: `advanceOverdue(state, now)` counts every unresolved case whose deadline is before `now` into
 * its five areas' `overdue` counters, once. Events then keep the counters right (a resolution takes a counted case
 * out; a redispatch with a later deadline too). Each deadline enters and leaves the heap once: O(log n) per case.
 * The entry of a case resolved before its deadline is dropped when it surfaces; until then it is stale, and once
 * stale entries outnumber the unresolved cases the heap is rebuilt from those (a wall or a server left up for days
 * would otherwise hold an entry for every case of the last SLA period).
 *
 * The counters are as of `state.overdueAsOf` and only move forward in time; asking about an earlier instant falls
 * back to a scan (see `kpis`).
 */
import type { CityState } from './state';
import { isUnresolvedStatus, type IncidentRecord } from './transition';
import { chainOf } from './state';
import { heapCompact, heapPop, heapPush, type HeapEntry } from './min-heap';

function count(state: CityState, record: IncidentRecord, delta: 1 | -1): void {
  for (const area of chainOf(state, record.grid)) area.overdue += delta;
  if (delta === 1) state.overdueIds.add(record.id);
  else state.overdueIds.delete(record.id);
}

/** Keeps the overdue index in step with one applied transition (called by `applyEvent`). */
export function trackOverdue(state: CityState, prev: IncidentRecord | undefined, next: IncidentRecord): void {
  const wasCounted = state.overdueIds.has(next.id);
  const unresolved = isUnresolvedStatus(next.status);
  const deadlineChanged = prev?.deadline !== next.deadline;
  if (wasCounted && (!unresolved || (next.deadline !== undefined && next.deadline >= state.overdueAsOf))) {
    count(state, next, -1);
  }
  const enters = unresolved && (prev === undefined || !isUnresolvedStatus(prev.status) || deadlineChanged);
  if (enters && next.deadline !== undefined && !state.overdueIds.has(next.id)) {
    heapPush(state.overdueWatch, { key: next.deadline, id: next.id });
  }
  // stale entries (cases resolved before their deadline) go once they outnumber the unresolved cases
  heapCompact(state.overdueWatch, state.unresolved.size, () => liveDeadlines(state));
}

/** The heap's current entries: the unresolved cases whose deadline is not yet counted. */
function* liveDeadlines(state: CityState): Iterable<HeapEntry> {
  for (const record of state.unresolved.values()) {
    if (record.deadline !== undefined && !state.overdueIds.has(record.id)) yield { key: record.deadline, id: record.id };
  }
}

/**
 * Counts every unresolved case whose deadline is before `now` into its areas' `overdue` counters. Returns false
 * (and does nothing) when `now` is before the instant the counters already stand at.
 */
export function advanceOverdue(state: CityState, now: number): boolean {
  if (now < state.overdueAsOf) return false;
  const heap = state.overdueWatch;
  while (heap.length > 0 && heap[0]!.key < now) {
    const entry = heapPop(heap)!;
    const record = state.incidents.get(entry.id);
    // Stale entries (resolved since, or given a new deadline) are dropped here.
    if (record === undefined || !isUnresolvedStatus(record.status) || record.deadline !== entry.key) continue;
    if (!state.overdueIds.has(record.id)) count(state, record, 1);
  }
  state.overdueAsOf = now;
  return true;
}

/** Rebuilds the index from the unresolved incidents (after a restore). */
export function rebuildOverdue(state: CityState): void {
  state.overdueWatch.length = 0;
  state.overdueIds.clear();
  state.overdueAsOf = Number.NEGATIVE_INFINITY;
  for (const area of state.areas.values()) area.overdue = 0;
  for (const record of state.unresolved.values()) {
    if (record.deadline !== undefined) heapPush(state.overdueWatch, { key: record.deadline, id: record.id });
  }
}
