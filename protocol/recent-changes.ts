/**
 * The latest changes a fold made, for the wall's ticker: a fixed ring of the last `capacity` events the reducer
 * applied, each with the case as that event left it. Live, the wall's ticker keeps the events as the relay delivers
 * them; playback keeps them as it folds the log up to t (the tab's PlaybackTimeline and HistoryWindows, and the
 * server's fold for windowed playback, which answers them with the state at t), so the ticker at t shows the same
 * rows, with the same event labels and colours, as the live wall showed at t.
 *
 * @example
 * ```ts
 * const recent = new RecentChanges(TICKER_LENGTH);
 * recent.apply(state, event); // applyEvent, keeping the change when the reducer took it
 * recent.latestFirst('530102'); // the district's, latest first
 * ```
 */
import { areaWithin } from './counters';
import type { StoredEvent } from './events';
import { applyEvent, type Applied, type CityState } from './reducer';
import type { IncidentRecord } from './transition';

/** Rows the wall's ticker keeps city-wide (an area's view is topped up from the cases themselves: LiveModel.tickerIn). */
export const TICKER_LENGTH = 40;

/** One change: the event (at `at`, epoch ms, its seq) and the case as it left it. */
export interface RecentChange {
  seq: number;
  at: number;
  event: StoredEvent;
  incident: IncidentRecord;
}

export class RecentChanges {
  private readonly events: Array<StoredEvent | undefined>;
  private readonly ats: Float64Array;
  private readonly records: Array<IncidentRecord | undefined>;
  /** changes pushed so far (the next slot is `pushed % capacity`) */
  private pushed = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`capacity: must be a whole number ≥ 1, got ${capacity}`);
    this.events = new Array<StoredEvent | undefined>(capacity);
    this.ats = new Float64Array(capacity);
    this.records = new Array<IncidentRecord | undefined>(capacity);
  }

  /** How many changes are held (at most `capacity`). */
  get size(): number {
    return Math.min(this.pushed, this.capacity);
  }

  /** Records a change: `event` (at `at`, epoch ms) left its case as `record` (the reducer's `next`, never mutated after). */
  push(event: StoredEvent, at: number, record: IncidentRecord): void {
    const slot = this.pushed % this.capacity;
    this.events[slot] = event;
    this.ats[slot] = at;
    this.records[slot] = record;
    this.pushed += 1;
  }

  /** Folds `event` into `state` (applyEvent) and keeps the change when the reducer took it; `at` is the event's, parsed once by a caller that has it. */
  apply(state: CityState, event: StoredEvent, at = Date.parse(event.at)): Applied {
    const applied = applyEvent(state, event);
    if (applied.ok) this.push(event, at, applied.next);
    return applied;
  }

  /** Starts from changes answered latest first (a server's fold), so that later pushes continue them. */
  static of(latestFirst: readonly RecentChange[], capacity = TICKER_LENGTH): RecentChanges {
    const recent = new RecentChanges(capacity);
    for (let i = latestFirst.length - 1; i >= 0; i--) {
      const change = latestFirst[i]!;
      recent.push(change.event, change.at, change.incident);
    }
    return recent;
  }

  /** The changes held, latest first; only those in `area` (`city` or an area code), at most `limit`. */
  latestFirst(area = 'city', limit = this.capacity): RecentChange[] {
    const entries: RecentChange[] = [];
    for (let k = this.pushed - 1; k >= this.pushed - this.size && entries.length < limit; k--) {
      const slot = k % this.capacity;
      const incident = this.records[slot]!;
      if (!areaWithin(incident.grid, area)) continue;
      const event = this.events[slot]!;
      entries.push({ seq: event.seq, at: this.ats[slot]!, event, incident });
    }
    return entries;
  }
}
