/**
 * What a page's JS heap holds, by kind of object: a V8 heap snapshot taken over CDP, summed per constructor (objects),
 * per function (closures) and per node type (strings, arrays, code, …), so that two summaries of one long run say
 * which kinds grew. The same grouping as the "Summary" view of Chromium's DevTools memory panel, without its
 * retained sizes (self sizes only).
 */
import type { CDPSession } from 'playwright-core';

export interface HeapGroup {
  count: number;
  bytes: number;
}

/** Heap snapshot JSON, the parts read here (V8's format: flat node array, field layout in `meta`). */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Takes a heap snapshot of the page (V8 collects garbage first) and sums it per group. */
export async function heapSummary(cdp: CDPSession): Promise<Map<string, HeapGroup>> {
  const chunks: string[] = [];
  const onChunk = ({ chunk }: { chunk: string }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  return summarise(JSON.parse(chunks.join('')) as HeapSnapshot);
}

/** Sums a snapshot's nodes: `object:<constructor>`, `closure:<function>`, `native:<name>`, else the node type. */
export function summarise(snapshot: HeapSnapshot): Map<string, HeapGroup> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] as number] ?? 'unknown';
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type}:${snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? '?'}` : type;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += snapshot.nodes[i + sizeAt] as number;
    groups.set(key, group);
  }
  return groups;
}

export interface HeapGrowth {
  group: string;
  countBefore: number;
  countAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** The groups that grew most in bytes from `before` to `after`, largest growth first. */
export function heapGrowth(before: Map<string, HeapGroup>, after: Map<string, HeapGroup>, top = 25): HeapGrowth[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((group) => ({
      group,
      countBefore: before.get(group)?.count ?? 0,
      countAfter: after.get(group)?.count ?? 0,
      bytesBefore: before.get(group)?.bytes ?? 0,
      bytesAfter: after.get(group)?.bytes ?? 0,
    }))
    .sort((a, b) => b.bytesAfter - b.bytesBefore - (a.bytesAfter - a.bytesBefore))
    .slice(0, top);
}
