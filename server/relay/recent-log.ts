/**
 * The relay's memory of recently flushed events, so that a screen reconnecting after a short drop resumes from
 * memory, synchronously: no store read and no race with the live stream. Older positions are read from the store.
 */
import type { StoredEvent } from '../../protocol/events';

/** A bounded, seq-ordered buffer of the latest flushed events. */
export class RecentLog {
  private events: StoredEvent[] = [];
  /** Every event with coveredFrom < seq ≤ headSeq is in the buffer. */
  private coveredFrom: number;
  private head: number;

  constructor(
    startSeq: number,
    private readonly capacity = 20_000,
  ) {
    this.coveredFrom = startSeq;
    this.head = startSeq;
  }

  /** Seq of the latest event appended. */
  get headSeq(): number {
    return this.head;
  }

  /** True when every event after `sinceSeq` is in memory. */
  covers(sinceSeq: number): boolean {
    return sinceSeq >= this.coveredFrom && sinceSeq <= this.head;
  }

  /** The position from which the buffer is complete (exclusive). */
  get from(): number {
    return this.coveredFrom;
  }

  /** Appends flushed events (seq order). */
  append(events: readonly StoredEvent[], toSeq: number): void {
    for (const event of events) this.events.push(event);
    this.head = toSeq;
    const excess = this.events.length - this.capacity;
    if (excess > 0) {
      // Trim in chunks (a quarter of capacity) so splice cost is amortised.
      const drop = Math.max(excess, Math.floor(this.capacity / 4));
      const removed = this.events.splice(0, Math.min(drop, this.events.length));
      const last = removed[removed.length - 1];
      if (last) this.coveredFrom = last.seq;
    }
  }

  /** Events with seq > sinceSeq inside an area prefix (`city` = all). Requires covers(sinceSeq). */
  after(sinceSeq: number, area: string): StoredEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as StoredEvent).seq <= sinceSeq) lo = mid + 1;
      else hi = mid;
    }
    const out: StoredEvent[] = [];
    for (let i = lo; i < this.events.length; i++) {
      const event = this.events[i] as StoredEvent;
      if (area === 'city' || event.grid.startsWith(area)) out.push(event);
    }
    return out;
  }
}
