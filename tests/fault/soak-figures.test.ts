/**
 * The arithmetic behind the soak's figures (bench/soak): percentiles from the fixed-bucket histogram, memory growth
 * after warm-up, reading a sample from Prometheus text, and summing a V8 heap snapshot per constructor. Wrong here,
 * every soak figure would be wrong.
 */
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapGrowth, newObjectRetainers, nodeIds, summarise, type HeapSnapshotGraph } from '../../bench/soak/heap-summary';
import { LatencyHistogram } from '../../bench/soak/latency-histogram';
import { growth, metric, parseKbFields, residentKbUnder } from '../../bench/soak/soak-run';

class RetainProbe {
  constructor(readonly n: number) {}
}
class ProbeHolder {
  readonly kept: RetainProbe[] = [];
}
/** A V8 heap snapshot of this process, parsed. */
async function heapSnapshot(): Promise<HeapSnapshotGraph> {
  const chunks: Buffer[] = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as HeapSnapshotGraph;
}
/** In a function of its own, so that no frame of the test holds the array while a snapshot is taken. */
function addProbes(holder: ProbeHolder, count: number): void {
  for (let n = 0; n < count; n++) holder.kept.push(new RetainProbe(n));
}

describe('soak figures', () => {
  it('the histogram gives the nearest-rank percentile in whole milliseconds', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    expect(histogram.summary()).toEqual({ samples: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    histogram.record(120_000); // beyond the last bucket: counted there, and as the max
    expect(histogram.percentile(1)).toBe(60_000);
    expect(histogram.max).toBe(120_000);
    expect(new LatencyHistogram().percentile(0.99)).toBeNaN();
  });

  it('growth compares the last fifth of the samples with the first fifth', () => {
    expect(growth([100, 100, 100, 100, 100, 110, 110, 110, 110, 110])).toBe(0.1);
    expect(growth([200, 150, 120, 100, 100])).toBe(-0.5);
    expect(growth([42])).toBe(0);
  });

  it('reads an unlabelled sample from Prometheus text, and NaN when it is absent', () => {
    const text = '# HELP x\ngridwatch_process_resident_memory_bytes 123456789\ngridwatch_nodejs_eventloop_lag_p99_seconds 0.012\n';
    expect(metric(text, 'gridwatch_process_resident_memory_bytes')).toBe(123456789);
    expect(metric(text, 'gridwatch_nodejs_eventloop_lag_p99_seconds')).toBe(0.012);
    expect(metric(text, 'gridwatch_connected_screens')).toBeNaN();
  });

  it('reads RssAnon / RssFile from /proc/<pid>/status text', () => {
    const text = 'Name:\tnode\nVmRSS:\t  353000 kB\nRssAnon:\t  256300 kB\nRssFile:\t   96700 kB\nRssShmem:\t       0 kB\nThreads:\t11\n';
    expect(parseKbFields(text)).toEqual({ VmRSS: 353000, RssAnon: 256300, RssFile: 96700, RssShmem: 0 });
    expect(parseKbFields('')).toEqual({});
  });

  it('sums the resident pages of the mappings of files under a folder, and nothing else', () => {
    const smaps = [
      '7f0000000000-7f0010000000 r--s 00000000 08:01 1234                       /tmp/gridwatch-soak-ab/gridwatch.db',
      'Size:             262144 kB',
      'Rss:               47700 kB',
      'Pss:               47700 kB',
      '7f0010000000-7f0010008000 rw-s 00000000 08:01 1235                       /tmp/gridwatch-soak-ab/gridwatch.db-shm',
      'Rss:                  32 kB',
      '7f0020000000-7f0020100000 r-xp 00000000 08:01 99                         /usr/bin/node',
      'Rss:               51200 kB',
      '7f0030000000-7f0030100000 rw-p 00000000 00:00 0 ',
      'Rss:                1024 kB',
      '7f0040000000-7f0040001000 r--s 00000000 08:01 77                         /tmp/gridwatch-soak-abc/x.db',
      'Rss:                   4 kB',
    ].join('\n');
    expect(residentKbUnder(smaps, '/tmp/gridwatch-soak-ab')).toBe(47732);
    expect(residentKbUnder(smaps, '/nowhere')).toBe(0);
  });

  it('sums a real V8 heap snapshot per constructor, and says which kinds grew between two', async () => {
    class SoakProbe {
      constructor(readonly n: number) {}
    }
    const snapshot = async () => summarise(await heapSnapshot());
    const kept = Array.from({ length: 1_000 }, (_, n) => new SoakProbe(n));
    const before = await snapshot();
    expect(before.get('object:SoakProbe')?.count).toBe(1_000);
    expect(before.get('object:SoakProbe')!.bytes).toBeGreaterThanOrEqual(1_000 * 16);
    kept.push(...Array.from({ length: 3_000 }, (_, n) => new SoakProbe(n)));
    const after = await snapshot();
    const grew = heapGrowth(before, after, 5_000).find((row) => row.group === 'object:SoakProbe');
    expect(grew).toMatchObject({ countBefore: 1_000, countAfter: 4_000 });
    expect(grew!.bytesAfter).toBe(4 * grew!.bytesBefore);
    // the largest growth comes first
    const rows = heapGrowth(before, after);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i - 1]!.bytesAfter - rows[i - 1]!.bytesBefore).toBeGreaterThanOrEqual(rows[i]!.bytesAfter - rows[i]!.bytesBefore);
    }
    expect(kept).toHaveLength(4_000);
  });

  it('names the path that keeps the objects added between two snapshots', async () => {
    const holder = new ProbeHolder();
    addProbes(holder, 100);
    const loose = Array.from({ length: 50 }, (_, n) => new RetainProbe(n));
    const before = nodeIds(await heapSnapshot());
    addProbes(holder, 400);
    const report = newObjectRetainers(before, await heapSnapshot(), 'RetainProbe');
    // the 400 added since, and not the 150 there before
    expect(report.added).toBe(400);
    expect(report.unreachable).toBe(0);
    const [top] = report.paths;
    expect(top!.count).toBe(400);
    expect(top!.path.slice(0, 3)).toContain('ProbeHolder.kept');
    expect(top!.selfBytes).toBeGreaterThanOrEqual(400 * 16);
    expect(loose).toHaveLength(50);
  });
});
