/**
 * Scrub benchmark (issue 6): the main-thread CPU time one scrub frame costs when the time filter runs on the GPU
 * (deck.gl DataFilterExtension: a frame builds a layer description with a new `filterRange`; the columns stay as
 * they are, nothing is uploaded) against CPU filtering (a frame walks every case, compacts the visible ones into
 * new position/colour/radius arrays and hands deck.gl new data, which it re-uploads). Same columns, same instants,
 * one run, at 100k and 1M cases. The columns are lifecycle segments (client/playback/playback-points.ts): each case
 * goes reported → registered → dispatched → in progress → resolved → verified → closed, a third of them overdue
 * on the way, so about seven instances per case, each drawn in its status colour while t is inside it.
 *
 *   npx tsx bench/playback-scrub.bench.ts
 *
 * Measured in Node (V8): the JS work of each path per frame. Not included, for either: deck.gl's prop diff and the
 * GPU draw. The CPU path also pays a buffer upload per frame, recorded as bytes (the GPU path uploads none).
 * Writes bench/results/playback-scrub.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_TYPES } from '../protocol/events';
import { slaHoursFor } from '../protocol/catalogues';
import { NO_LIMIT, type HistoryChunk } from '../protocol/history-codec';
import { PlaybackPoints, playbackPointLayer } from '../client/playback/playback-points';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FRAMES = 120;
const SPAN_S = 14 * 86_400;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const identity = (x: number, y: number): [number, number] => [x, y];

const LIFECYCLE = ['incident.registered', 'incident.dispatched', 'incident.started', 'incident.resolved', 'incident.verified', 'incident.closed'] as const;

/** A chunk-shaped column set of n whole lifecycles (7 events each) spread over 14 days. */
function columns(n: number): HistoryChunk {
  const per = 1 + LIFECYCLE.length;
  const count = n * per;
  const chunk = {
    count, baseSeq: 1, baseAt: 0,
    seqOffset: new Uint32Array(count), atOffset: new Uint32Array(count), type: new Uint8Array(count), arg: new Uint8Array(count),
    grid: new Uint32Array(count), incident: new Uint32Array(count), lon: new Float32Array(count), lat: new Float32Array(count), limit: new Int32Array(count).fill(NO_LIMIT),
    minAt: 0, maxAt: SPAN_S * 1000, details: new Uint8Array(0),
  };
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
  const otherSlaMinutes = Math.round(slaHoursFor('other') * 60);
  // Events are ordered per case (the points need each case's events in order, as the stream gives them).
  for (let i = 0; i < n; i++) {
    let at = random() * SPAN_S * 0.95;
    const k = i * per;
    chunk.type[k] = EVENT_TYPES.indexOf('incident.reported');
    chunk.atOffset[k] = at * 1000;
    chunk.incident[k] = i;
    chunk.lon[k] = 102.6 + random() * 0.3;
    chunk.lat[k] = 24.9 + random() * 0.2;
    chunk.arg[k] = Math.floor(random() * 4);
    chunk.limit[k] = otherSlaMinutes;
    const overdue = random() < 1 / 3;
    LIFECYCLE.forEach((type, j) => {
      at += type === 'incident.resolved' ? 3600 + random() * (overdue ? 3 * 86_400 : 3600) : 60 + random() * 1800;
      chunk.type[k + 1 + j] = EVENT_TYPES.indexOf(type);
      chunk.atOffset[k + 1 + j] = at * 1000;
      chunk.incident[k + 1 + j] = i;
      chunk.arg[k + 1 + j] = type === 'incident.verified' ? 1 : 0;
      // a dispatch's explicit deadline, in seconds after baseAt (0)
      if (type === 'incident.dispatched') chunk.limit[k + 1 + j] = Math.ceil(at + 4 * 3600);
    });
  }
  return chunk;
}

function cpuMs<T>(work: () => T): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function run(n: number) {
  const points = new PlaybackPoints(0, identity);
  points.add(columns(n));
  points.finish();
  const blocks = points.blockData();
  const segments = blocks.reduce((sum, b) => sum + b.length, 0);
  const instants = Array.from({ length: FRAMES }, (_, i) => ((i + 0.5) / FRAMES) * SPAN_S * 1000);

  // ours: a layer description per frame (the composite and its one sub-layer per block of segments), same data objects
  let sink = 0;
  const describe = (t: number) => {
    const layer = playbackPointLayer(points, t, 1, true) as unknown as { renderLayers(): Array<{ props: { filterRange: number[][] } }> };
    return layer.renderLayers().reduce((sum, sub) => sum + sub.props.filterRange[0]![1]!, 0);
  };
  for (const t of instants.slice(0, 20)) describe(t); // warm up
  const gpuMs = cpuMs(() => {
    for (const t of instants) sink += describe(t);
  });
  // naive: compact the visible cases into new arrays every frame (position, colour, radius: what a redraw uploads)
  let uploaded = 0;
  const cpuFilterMs = cpuMs(() => {
    for (const t of instants) {
      const s = t / 1000;
      let visible = 0;
      for (const data of blocks) {
        const filter = data.attributes.getFilterValue!.value as Float32Array;
        for (let i = 0; i < data.length; i++) if (filter[i * 2]! <= s && s < filter[i * 2 + 1]!) visible += 1;
      }
      const p = new Float32Array(visible * 2), c = new Uint8Array(visible * 4), r = new Uint8Array(visible);
      let k = 0;
      for (const data of blocks) {
        const filter = data.attributes.getFilterValue!.value as Float32Array;
        const position = data.attributes.getPosition!.value as Float32Array;
        const colour = data.attributes.getFillColor!.value as Uint8Array;
        const radius = data.attributes.getRadius!.value as Uint8Array;
        for (let i = 0; i < data.length; i++) {
          if (!(filter[i * 2]! <= s && s < filter[i * 2 + 1]!)) continue;
          p[k * 2] = position[i * 2]!;
          p[k * 2 + 1] = position[i * 2 + 1]!;
          c[k * 4] = colour[i * 4]!; c[k * 4 + 1] = colour[i * 4 + 1]!; c[k * 4 + 2] = colour[i * 4 + 2]!; c[k * 4 + 3] = colour[i * 4 + 3]!;
          r[k] = radius[i]!;
          k += 1;
        }
      }
      uploaded += p.byteLength + c.byteLength + r.byteLength;
      sink += k;
    }
  });
  return {
    cases: n,
    segments,
    blocks: blocks.length,
    gpuFilter: { cpuMsPerFrame: round(gpuMs / FRAMES), bytesUploadedPerFrame: 0 },
    cpuFilter: { cpuMsPerFrame: round(cpuFilterMs / FRAMES), bytesUploadedPerFrame: Math.round(uploaded / FRAMES) },
    ratio: round(cpuFilterMs / Math.max(1e-3, gpuMs), 1),
    sink: sink > 0,
  };
}

const results = [run(100_000), run(1_000_000)];
const out = {
  benchmark: 'playback-scrub',
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadAverage1m: round(os.loadavg()[0] ?? 0, 2), node: process.version },
  framesPerRun: FRAMES,
  goal: 'GPU filter ≥ 50× less CPU per scrub frame',
  note: 'JS work per frame in Node: ours builds the composite layer and its sub-layer descriptors (one per block of 2^20 segments); deck.gl prop diff and GPU time excluded for both; the CPU path also re-uploads the bytes shown',
  results,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/playback-scrub.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
