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
