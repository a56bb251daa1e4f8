/**
 * What a page's JS heap holds, by kind of object: a V8 heap snapshot taken over CDP, summed per constructor (objects),
 * per function (closures) and per node type (strings, arrays, code, …), so that two summaries of one long run say
 * which kinds grew. The same grouping as the "Summary" view of Chromium's DevTools memory panel, without its
 * retained sizes (self sizes only).
 */
import fs from 'node:fs';
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

/**
 * Takes a heap snapshot of the page (V8 collects garbage first) and sums it per group. With `saveTo`, the raw snapshot
 * is written there too (a `.heapsnapshot` file DevTools' memory panel and bench/soak/heap-retainers.ts open).
 */
export async function heapSummary(cdp: CDPSession, saveTo?: string): Promise<Map<string, HeapGroup>> {
  const chunks: string[] = [];
  const onChunk = ({ chunk }: { chunk: string }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const text = chunks.join('');
  if (saveTo !== undefined) fs.writeFileSync(saveTo, text);
  return summarise(JSON.parse(text) as HeapSnapshot);
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

/** A heap snapshot with its edges: what newObjectRetainers reads. */
export interface HeapSnapshotGraph extends HeapSnapshot {
  snapshot: { meta: HeapSnapshot['snapshot']['meta'] & { edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  edges: number[];
}

export interface RetainerPath {
  /** `owner.edge` steps from the object outwards, at most `depth` of them */
  path: string[];
  count: number;
  selfBytes: number;
}

export interface RetainerReport {
  /** objects of the kind in the later snapshot and not in the earlier */
  added: number;
  /** of them, those no strong path from the roots reaches (garbage the snapshot caught, or held by weak edges only) */
  unreachable: number;
  paths: RetainerPath[];
}

/** The ids of every node of a snapshot. */
export function nodeIds(snapshot: HeapSnapshotGraph): Set<number> {
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const idAt = fields.indexOf('id');
  const ids = new Set<number>();
  for (let i = 0; i < snapshot.nodes.length; i += width) ids.add(snapshot.nodes[i + idAt]!);
  return ids;
}

/**
 * The objects named `kind` in `after` whose ids `before` lacks, grouped by retainer path, most objects first.
 * `before` is the earlier snapshot's node ids (nodeIds), so the two snapshots need not be in memory together.
 */
export function newObjectRetainers(before: Set<number>, after: HeapSnapshotGraph, kind: string, depth = 12, top = 15): RetainerReport {
  const meta = after.snapshot.meta;
  const width = meta.node_fields.length;
  const [typeAt, nameAt, idAt, edgeCountAt, sizeAt] = ['type', 'name', 'id', 'edge_count', 'self_size'].map((f) => meta.node_fields.indexOf(f)) as [number, number, number, number, number];
  const edgeWidth = meta.edge_fields.length;
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number, number];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = after;
  const count = nodes.length / width;

  // where each node's edges start in the flat edge array
  const firstEdge = new Float64Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += nodes[n * width + edgeCountAt]! * edgeWidth;
    firstEdge[n + 1] = e;
  }

  // breadth first from the root (node 0) over strong edges: each node's first finder is on a shortest path
  const parent = new Int32Array(count).fill(-1);
  const viaEdge = new Float64Array(count).fill(-1);
  const reached = new Uint8Array(count);
  reached[0] = 1;
  let frontier = [0];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const n of frontier) {
      for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e += edgeWidth) {
        const type = edgeTypes[edges[e + edgeTypeAt]!];
        if (type === 'weak' || type === 'shortcut') continue;
        const to = edges[e + toAt]! / width;
        if (reached[to]) continue;
        reached[to] = 1;
        parent[to] = n;
        viaEdge[to] = e;
        next.push(to);
      }
    }
    frontier = next;
  }

  const label = (n: number): string => {
    const type = nodeTypes[nodes[n * width + typeAt]!]!;
    const name = strings[nodes[n * width + nameAt]!]!.slice(0, 60);
    if (type === 'object' || type === 'synthetic') return name; // synthetic: a root group, "(Stack roots)", "(Global handles)"…
    return type === 'closure' || type === 'native' ? `${type}:${name}` : `(${type})`;
  };
  const edgeLabel = (e: number): string => {
    const type = edgeTypes[edges[e + edgeTypeAt]!];
    const nameOrIndex = edges[e + edgeNameAt]!;
    if (type === 'element') return '[i]';
    if (type === 'hidden') return `[hidden ${nameOrIndex}]`;
    return strings[nameOrIndex]!;
  };

  const groups = new Map<string, RetainerPath>();
  let added = 0;
  let unreachable = 0;
  for (let n = 0; n < count; n++) {
    if (nodeTypes[nodes[n * width + typeAt]!] !== 'object' || strings[nodes[n * width + nameAt]!] !== kind) continue;
    if (before.has(nodes[n * width + idAt]!)) continue;
    added += 1;
    if (!reached[n]) {
      unreachable += 1;
      continue;
    }
    const path: string[] = [];
    for (let at = n; path.length < depth && parent[at]! > 0; at = parent[at]!) path.push(`${label(parent[at]!)}.${edgeLabel(viaEdge[at]!)}`);
    const key = path.join(' ← ');
    const group = groups.get(key) ?? { path, count: 0, selfBytes: 0 };
    group.count += 1;
    group.selfBytes += nodes[n * width + sizeAt]!;
    groups.set(key, group);
  }
  const paths = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, top);
  return { added, unreachable, paths };
}
