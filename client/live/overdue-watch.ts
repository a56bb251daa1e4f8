/**
 * Overdue (超期) is a matter of time, not of events: a dispatched case becomes overdue when its deadline passes
 * while nothing happens to it. Rather than rescanning every case each second, the watch keeps a min-heap of
 * deadlines (protocol/min-heap.ts) and pops only the ones that have just passed.
 *
 * A wall is left up for days, so the heap holds one entry per case and deadline, not one per event: a case's later
 * events with the same deadline add nothing. Entries whose case moved on (resolved, given a new deadline, evicted)
 * are dropped lazily when they surface, and once they outnumber the live ones the heap is rebuilt from those, so it
 * never holds more than about twice the cases whose clock runs.
 */
import { heapCompact, heapPop, heapPush, type HeapEntry } from '../../protocol/min-heap';
import { isUnresolvedStatus, type IncidentRecord } from '../../protocol/reducer';

export function isOverdue(record: IncidentRecord, now: number): boolean {
  return isUnresolvedStatus(record.status) && record.deadline !== undefined && record.deadline < now;
}

export class OverdueWatch {
  private readonly heap: HeapEntry[] = [];
  /** the deadline each case with a running clock is in the heap for */
  private readonly scheduled = new Map<string, number>();
  private readonly overdue = new Set<string>();

  get count(): number {
    return this.overdue.size;
  }

  /** Heap entries held, stale ones included (for tests and memory checks). */
  get entries(): number {
    return this.heap.length;
  }

  has(id: string): boolean {
    return this.overdue.has(id);
  }

  /**
   * Re-evaluates one case after an event. Returns whether it is overdue now; a case not yet overdue with a running
   * clock is scheduled (once for each deadline it is given).
   */
  update(record: IncidentRecord, now: number): boolean {
    if (isOverdue(record, now)) {
      this.scheduled.delete(record.id);
      this.overdue.add(record.id);
      return true;
    }
    this.overdue.delete(record.id);
    if (isUnresolvedStatus(record.status) && record.deadline !== undefined) {
      if (this.scheduled.get(record.id) !== record.deadline) {
        this.scheduled.set(record.id, record.deadline);
        heapPush(this.heap, { key: record.deadline, id: record.id });
      }
    } else {
      this.scheduled.delete(record.id);
    }
    this.compact();
    return false;
  }

  /** A case that left the live state (evicted). */
  forget(id: string): void {
    this.overdue.delete(id);
    this.scheduled.delete(id);
    this.compact();
  }

  clear(): void {
    this.heap.length = 0;
    this.scheduled.clear();
    this.overdue.clear();
  }

  /**
   * Cases whose deadline passed since the last call and that are still unresolved. `lookup` gives the current
   * record so that stale entries are recognised.
   */
  due(now: number, lookup: (id: string) => IncidentRecord | undefined): IncidentRecord[] {
    const became: IncidentRecord[] = [];
    while (this.heap.length > 0 && this.heap[0]!.key < now) {
      const entry = heapPop(this.heap)!;
      if (this.scheduled.get(entry.id) !== entry.key) continue;
      this.scheduled.delete(entry.id);
      const record = lookup(entry.id);
      if (!record || record.deadline !== entry.key || this.overdue.has(record.id)) continue;
      if (isOverdue(record, now)) {
        this.overdue.add(record.id);
        became.push(record);
      }
    }
    return became;
  }

  /** Rebuilds the heap from the scheduled deadlines once stale entries outnumber them (protocol/min-heap.ts). */
  private compact(): void {
    heapCompact(this.heap, this.scheduled.size, () => [...this.scheduled].map(([id, key]) => ({ key, id })));
  }
}
