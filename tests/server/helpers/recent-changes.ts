/**
 * The ticker's rows at t by brute force, for playback's `recentAt`: fold every event with at ≤ t, in seq order,
 * through the reducer, and keep each applied event with the case as it left it, latest first.
 */
import { expect } from 'vitest';
import { areaWithin } from '../../../protocol/counters';
import type { StoredEvent } from '../../../protocol/events';
import { PLAYBACK_FOLD_OPTIONS } from '../../../protocol/history-api';
import { applyEvent, createState } from '../../../protocol/reducer';
import type { RecentChange } from '../../../protocol/recent-changes';

interface Change {
  seq: number;
  type: string;
  incident: string;
  status: string;
  lastSeq: number;
}

export function changesUpTo(events: readonly StoredEvent[], t: number, area = 'city'): Change[] {
  const state = createState(PLAYBACK_FOLD_OPTIONS);
  const changes: Change[] = [];
  for (const event of events) {
    if (Date.parse(event.at) > t) continue;
    const result = applyEvent(state, event);
    if (result.ok && areaWithin(result.next.grid, area)) changes.push({ seq: event.seq, type: event.type, incident: result.next.id, status: result.next.status, lastSeq: result.next.lastSeq });
  }
  return changes.reverse();
}

/**
 * Asserts that `entries` are the latest changes up to t in `area`, latest first, each with the case as that change
 * left it (not as it stands at t); they may stop short of the brute force's list (a fold restored from a snapshot
 * holds only what it folded since). Returns how many there were.
 */
export function expectLatestChanges(entries: readonly RecentChange[], events: readonly StoredEvent[], t: number, area = 'city'): number {
  const expected = changesUpTo(events, t, area).slice(0, entries.length);
  const shown = entries.map((e) => ({ seq: e.seq, type: e.event.type, incident: e.incident.id, status: e.incident.status, lastSeq: e.incident.lastSeq }));
  expect(shown, `ticker at ${Number.isFinite(t) ? new Date(t).toISOString() : "the head"} in ${area}`).toEqual(expected);
  for (const entry of entries) expect(entry.at).toBe(Date.parse(entry.event.at));
  return entries.length;
}
