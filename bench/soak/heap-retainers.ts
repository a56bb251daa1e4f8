/**
 * Who keeps what a long run gained: given two V8 heap snapshots of one page (or process), the objects of one kind that
 * the later snapshot has and the earlier has not, grouped by the path that keeps each alive. The path is the shortest
 * chain of strong references from the GC roots, as DevTools' "Retainers" pane shows first, named from the object
 * outwards: `owner.property` per step, `[i]` for an array element.
 *
 *   npx tsx bench/soak/heap-retainers.ts warmup.heapsnapshot end.heapsnapshot Int32Array [--depth 12] [--top 15]
 *
 * (`wall-soak.ts --heap-diff --heap-save DIR` writes the two snapshots; the kind is a constructor's name as
 * `heapGrowthByKind` shows it after `object:`.) Paths are grouped on their first `--depth` steps: a small depth
 * merges paths that differ only further out, such as one per cached map tile (each under its own tile key). Object
 * ids are stable between snapshots of one heap, so "new" means allocated after the first snapshot and alive at the
 * second.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { positiveFlag } from './flags';
import { newObjectRetainers, nodeIds, type HeapSnapshotGraph } from './heap-summary';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { depth: { type: 'string', default: '12' }, top: { type: 'string', default: '15' } },
});
const [earlier, later, kind] = positionals;
if (!earlier || !later || !kind) throw new Error('usage: heap-retainers.ts EARLIER.heapsnapshot LATER.heapsnapshot KIND [--depth N] [--top N]');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as HeapSnapshotGraph;
const before = nodeIds(read(earlier));
const report = newObjectRetainers(before, read(later), kind, positiveFlag('depth', values.depth), positiveFlag('top', values.top));
console.log(`${kind}: ${report.added} added between the snapshots; ${report.unreachable} of them not reachable by strong references`);
for (const row of report.paths) console.log(`\n${row.count} objects (${row.selfBytes} B self):\n  ${row.path.join('\n  ← ')}`);
