/**
 * Overdue counts per area, kept lazily. Whether a case is overdue changes with time alone (its deadline passes
 * with no event), so the counters cannot move on events only. Instead a min-heap of deadlines is drained up to the
 * instant asked about: `advanceOverdue(state, now)` counts every unresolved case whose deadline is before `now` into
 * its five areas' `overdue` counters, once. Events then keep the counters right (a resolution takes a counted case
 * out; a redispatch with a later deadline too). Each deadline enters and leaves the heap once: O(log n) per case.
 *
 * The counters are as of `state.overdueAsOf` and only move forward in time; asking about an earlier instant falls
 * back to a scan (see `kpis`).
 */
import type { CityState } from './state';
import { isUnresolvedStatus, type IncidentRecord } from './transition';
import { chainOf } from './state';

interface Watch {
  deadline: number;
  id: string;
}

function push(heap: Watch[], entry: Watch): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as Watch).deadline <= entry.deadline) break;
    heap[i] = heap[parent] as Watch;
    i = parent;
  }
  heap[i] = entry;
}

function pop(heap: Watch[]): Watch | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] as Watch).deadline < (heap[left] as Watch).deadline ? right : left;
    if ((heap[child] as Watch).deadline >= last.deadline) break;
    heap[i] = heap[child] as Watch;
    i = child;
  }
  heap[i] = last;
  return top;
}

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
    push(state.overdueWatch, { deadline: next.deadline, id: next.id });
  }
}

/**
 * Counts every unresolved case whose deadline is before `now` into its areas' `overdue` counters. Returns false
 * (and does nothing) when `now` is before the instant the counters already stand at.
 */
export function advanceOverdue(state: CityState, now: number): boolean {
  if (now < state.overdueAsOf) return false;
  const heap = state.overdueWatch;
  while (heap.length > 0 && (heap[0] as Watch).deadline < now) {
    const entry = pop(heap) as Watch;
    const record = state.incidents.get(entry.id);
    // Stale entries (resolved since, or given a new deadline) are dropped here.
    if (record === undefined || !isUnresolvedStatus(record.status) || record.deadline !== entry.deadline) continue;
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
    if (record.deadline !== undefined) push(state.overdueWatch, { deadline: record.deadline, id: record.id });
  }
}
