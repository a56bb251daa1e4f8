/**
 * A binary min-heap over a plain array of `{ key, id }` entries: the overdue index keys each case by its deadline,
 * eviction each ended case by when it ended. Push and pop are O(log n); `heap[0]` is the smallest key.
 */
export interface HeapEntry {
  key: number;
  id: string;
}

export function heapPush(heap: HeapEntry[], entry: HeapEntry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as HeapEntry).key <= entry.key) break;
    heap[i] = heap[parent] as HeapEntry;
    i = parent;
  }
  heap[i] = entry;
}

export function heapPop(heap: HeapEntry[]): HeapEntry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] as HeapEntry).key < (heap[left] as HeapEntry).key ? right : left;
    if ((heap[child] as HeapEntry).key >= last.key) break;
    heap[i] = heap[child] as HeapEntry;
    i = child;
  }
  heap[i] = last;
  return top;
}

/** Stale entries a heap may hold beyond its live ones before `heapCompact` rebuilds it (small heaps are left alone). */
const STALE_SLACK = 256;

/**
 * For a heap whose outdated entries are dropped lazily when they surface (the overdue index, the wall's overdue
 * watch): once it holds more than twice its `liveCount` current entries (plus a slack), its contents are replaced
 * by `live()`, sorted (a sorted array is a min-heap). O(n log n) once per n stale entries: amortised O(log n) each.
 */
export function heapCompact(heap: HeapEntry[], liveCount: number, live: () => Iterable<HeapEntry>): void {
  if (heap.length <= 2 * liveCount + STALE_SLACK) return;
  const entries = [...live()].sort((a, b) => a.key - b.key);
  heap.length = 0;
  for (const entry of entries) heap.push(entry);
}
