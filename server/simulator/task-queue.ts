/**
 * The simulator's agenda: planned steps of cases, popped in time order. A binary min-heap keyed by (time, insertion
 * order), so that steps planned for the same millisecond come out in the order they were planned: determinism.
 */
export type TaskAction =
  | 'register'
  | 'cancel'
  | 'dispatch'
  | 'redispatch'
  | 'start'
  | 'whistle'
  | 'acknowledge'
  | 'arrive'
  | 'supervise'
  | 'resolve'
  | 'verify'
  | 'close'
  | 'rate';

export interface Task {
  /** epoch ms */
  at: number;
  incidentId: string;
  action: TaskAction;
  /** the department, for acknowledge/arrive */
  department?: string | undefined;
}

interface Entry {
  task: Task;
  order: number;
}

export class TaskQueue {
  private readonly heap: Entry[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  push(task: Task): void {
    const heap = this.heap;
    heap.push({ task, order: this.order++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  peek(): Task | undefined {
    return this.heap[0]?.task;
  }

  pop(): Task | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
        if (right < heap.length && before(heap[right] as Entry, heap[smallest] as Entry)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest] as Entry, heap[i] as Entry];
        i = smallest;
      }
    }
    return top.task;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.task.at < b.task.at || (a.task.at === b.task.at && a.order < b.order);
}
