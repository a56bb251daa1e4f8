/**
 * Overdue (超期) is a matter of time, not of events: a dispatched case becomes overdue when its deadline passes
 * while nothing happens to it. Rather than rescanning every case each second, the watch keeps a min-heap of
 * deadlines and pops only the ones that have just passed; stale heap entries (the case moved on, or was
 * redispatched with a new deadline) are dropped lazily when they surface.
 */
import { isUnresolvedStatus, type IncidentRecord } from '../../protocol/reducer';

export function isOverdue(record: IncidentRecord, now: number): boolean {
  return isUnresolvedStatus(record.status) && record.deadline !== undefined && record.deadline < now;
}

interface Entry {
  deadline: number;
  id: string;
}

export class OverdueWatch {
  private readonly heap: Entry[] = [];
  private readonly overdue = new Set<string>();

  get count(): number {
    return this.overdue.size;
  }

  has(id: string): boolean {
    return this.overdue.has(id);
  }

  /**
   * Re-evaluates one case after an event. Returns whether it is overdue now; a case not yet overdue with a running
   * clock is scheduled.
   */
  update(record: IncidentRecord, now: number): boolean {
    if (isOverdue(record, now)) {
      this.overdue.add(record.id);
      return true;
    }
    this.overdue.delete(record.id);
    if (isUnresolvedStatus(record.status) && record.deadline !== undefined) this.push({ deadline: record.deadline, id: record.id });
    return false;
  }

  forget(id: string): void {
    this.overdue.delete(id);
  }

  clear(): void {
    this.heap.length = 0;
    this.overdue.clear();
  }

  /**
   * Cases whose deadline passed since the last call and that are still unresolved. `lookup` gives the current
   * record so that stale entries are recognised.
   */
  due(now: number, lookup: (id: string) => IncidentRecord | undefined): IncidentRecord[] {
    const became: IncidentRecord[] = [];
    while (this.heap.length > 0 && this.heap[0]!.deadline < now) {
      const entry = this.pop();
      const record = lookup(entry.id);
      if (!record || record.deadline !== entry.deadline || this.overdue.has(record.id)) continue;
      if (isOverdue(record, now)) {
        this.overdue.add(record.id);
        became.push(record);
      }
    }
    return became;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.deadline <= entry.deadline) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const child = r < heap.length && heap[r]!.deadline < heap[l]!.deadline ? r : l;
        if (heap[child]!.deadline >= last.deadline) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
