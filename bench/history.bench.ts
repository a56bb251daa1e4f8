/**
 * History benchmark (issue 6): how fast playback gets its first frame, and how compact history is on the wire and
 * in memory, our way (the GWHC columnar stream of protocol/history-codec.ts, decoded frame by frame) against the
 * naive way (one GeoJSON FeatureCollection of the events, JSON.parse'd whole before anything draws), in one run on
 * the same events. Arrow IPC (the paged `format=arrow`) is measured beside them for the codec choice.
 *
 *   node --expose-gc --max-old-space-size=8192 --import tsx bench/history.bench.ts [events] [streamEvents]
 *   (defaults: 1,000,000 events from the simulator; a 20,000,000-event stream of synthetic frames)
 *
 * 1. first frame: ours = decode the first frame + fill the GPU columns + fold it (what playback needs to draw);
 *    naive = JSON.parse of the whole body + a CPU filter for the first instant. Network time is left out of both
 *    (loopback); the wire bytes are recorded, and the naive body must arrive whole before its parse starts.
 * 2. bytes per event: on the wire (raw and gzip) and in memory (typed columns, raw details, GPU columns; for the
 *    naive way the heap growth of the parsed GeoJSON).
 * 3. a 20M-event range streamed through the decoder and the GPU columns in frames: no single allocation near
 *    Chrome's ~1 GB cap; peak memory recorded. (Only the columns are kept here: the detail JSON of 20M events would
 *    not fit a tab, see "weak" below.)
 *
 * Writes bench/results/history.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { IncomingEvent, StoredEvent } from '../protocol/events';
import { COLUMN_BYTES_PER_EVENT, HistoryDecoder, HistoryEncoder, type HistoryChunk } from '../protocol/history-codec';
import { encodeHistory } from '../server/http/history-format';
import { SimulationEngine } from '../server/simulator/engine';
import { PlaybackPoints } from '../client/playback/playback-points';
import { PlaybackTimeline } from '../client/playback/playback-timeline';
import { testCity } from '../tests/simulator/test-city';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.argv[2] ?? 1_000_000);
const STREAM_EVENTS = Number(process.argv[3] ?? 20_000_000);
const FRAME = 5_000;
const DAY = 86_400_000;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const identity = (x: number, y: number): [number, number] => [x, y];

function timed<T>(work: () => T): [T, { wallMs: number; cpuMs: number }] {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const result = work();
  const used = process.cpuUsage(cpu);
  return [result, { wallMs: round(performance.now() - wall), cpuMs: round((used.user + used.system) / 1000) }];
}

function generate(n: number): StoredEvent[] {
  const start = Date.parse('2026-10-01T00:00:00+08:00');
  const engine = new SimulationEngine({ city: testCity(), seed: 11, startAt: start, rate: 3000 / 86_400 });
  const out: StoredEvent[] = [];
  const take = (event: IncomingEvent, grid: string) => {
    if (out.length < n) out.push({ ...event, seq: out.length + 1, recordedAt: Date.parse(event.at), grid } as StoredEvent);
  };
  for (let t = start; out.length < n; t += DAY / 24) engine.advance(t, take);
  for (const e of out) delete (e as { crs?: string }).crs;
  return out;
}

function toGeoJson(events: StoredEvent[], locations: Map<string, [number, number]>): string {
  // The naive wire form: every event a Feature at its incident's location, all properties kept.
  return JSON.stringify({
    type: 'FeatureCollection',
    features: events.map((e) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: locations.get(e.type === 'incident.reported' ? e.incident.id : e.incidentId) ?? [0, 0] },
      properties: e,
    })),
  });
}

function main(): void {
  console.log(`generating ${EVENTS} events…`);
  const events = generate(EVENTS);
  const locations = new Map<string, [number, number]>();
  for (const e of events) if (e.type === 'incident.reported') locations.set(e.incident.id, e.incident.location as [number, number]);
  const firstAt = Date.parse(events[0]!.at);

  // --- wire forms
  const [frames, encode] = timed(() => {
    const encoder = new HistoryEncoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < events.length; i += FRAME) out.push(encoder.encodeFrame(events.slice(i, i + FRAME)));
    return out;
  });
  const columnsBytes = frames.reduce((n, f) => n + f.length, 0);
  const columnsGzip = frames.reduce((n, f) => n + gzipSync(f, { level: 6 }).length, 0);
  const [geojson, geojsonEncode] = timed(() => toGeoJson(events, locations));
  const geojsonBytes = Buffer.byteLength(geojson);
  const geojsonGzip = gzipSync(geojson, { level: 6 }).length;
  const jsonBytes = Buffer.byteLength(JSON.stringify({ events }));
  const arrowSample = encodeHistory(events.slice(0, 50_000));
  const arrowBytesPerEvent = arrowSample.length / 50_000;

  // --- time to first frame, ours
  gc();
  const [, firstOurs] = timed(() => {
    const decoder = new HistoryDecoder();
    const timeline = new PlaybackTimeline();
    const points = new PlaybackPoints(firstAt, identity);
    const first = decoder.push(frames[0]!)[0]!;
    timeline.add(first, decoder.tables);
    points.add(first);
    timeline.stateAt(firstAt + 3_600_000);
    return points.data();
  });
  // all of it, ours: decode + GPU columns + fold with snapshots
  gc();
  const heapBefore = process.memoryUsage();
  const decoder = new HistoryDecoder();
  const timeline = new PlaybackTimeline();
  const points = new PlaybackPoints(firstAt, identity);
  const chunks: HistoryChunk[] = [];
  const [, allOurs] = timed(() => {
    for (const frame of frames) {
      for (const chunk of decoder.push(frame)) {
        chunks.push(chunk);
        timeline.add(chunk, decoder.tables);
        points.add(chunk);
      }
    }
  });
  gc();
  const heapAfter = process.memoryUsage();
  const detailBytes = chunks.reduce((n, c) => n + c.details.byteLength, 0);

  // --- time to first frame, naive: the whole body parsed, then a CPU filter for the first instant
  gc();
  const naiveBefore = process.memoryUsage().heapUsed;
  const [parsed, firstNaive] = timed(() => {
    const collection = JSON.parse(geojson) as { features: Array<{ properties: { at: string } }> };
    const cutoff = firstAt + 3_600_000;
    const shown = collection.features.filter((f) => Date.parse(f.properties.at) <= cutoff);
    return { collection, shown: shown.length };
  });
  gc();
  const naiveHeap = process.memoryUsage().heapUsed - naiveBefore;
  void parsed.shown;

  // --- 20M events streamed in frames (columns only)
  const stream = streamLarge(STREAM_EVENTS);

  const result = {
    benchmark: 'history',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadAverage1m: round(os.loadavg()[0] ?? 0), node: process.version, note: 'Node (V8) on a shared 2-core machine; CPU time is what the work cost' },
    input: { events: EVENTS, incidents: locations.size, frames: frames.length, eventsPerFrame: FRAME, source: 'simulator, test city, 3,000 incidents a day' },
    firstFrame: {
      ours: { ...firstOurs, what: 'decode frame 1 + fill GPU columns + fold it + stateAt' },
      naive: { ...firstNaive, what: 'JSON.parse the whole GeoJSON body + CPU time filter' },
      speedupCpu: round(firstNaive.cpuMs / Math.max(0.01, firstOurs.cpuMs), 1),
      goal: '≥ 10×',
      note: 'network excluded; the naive body must also arrive whole first (its bytes below), ours draws after frame 1',
    },
    wholeRange: { ours: { ...allOurs, what: 'decode every frame + GPU columns + fold with snapshots' }, encodeOnServer: encode, geojsonEncodeOnServer: geojsonEncode, snapshots: timeline.snapshotCount, rejected: timeline.rejected },
    bytesPerEventWire: {
      columns: round(columnsBytes / EVENTS),
      columnsGzip: round(columnsGzip / EVENTS),
      json: round(jsonBytes / EVENTS),
      geojson: round(geojsonBytes / EVENTS),
      geojsonGzip: round(geojsonGzip / EVENTS),
      arrow: round(arrowBytesPerEvent),
    },
    bytesPerEventMemory: {
      typedColumns: COLUMN_BYTES_PER_EVENT,
      gpuColumns: round((points.length * PlaybackPoints.BYTES_PER_INCIDENT) / EVENTS),
      hotTotal: round(COLUMN_BYTES_PER_EVENT + (points.length * PlaybackPoints.BYTES_PER_INCIDENT) / EVENTS),
      rawDetails: round(detailBytes / EVENTS),
      measuredHeapAndBuffers: round((heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers) / EVENTS),
      naiveParsedGeoJsonHeap: round(naiveHeap / EVENTS),
      goal: '≤ 32 B per event in memory',
      note: 'hotTotal is what scrubbing, the histogram and the GPU filter use; rawDetails (ids, notes, departments) are kept for the reducer fold and the CSV',
    },
    stream20M: stream,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/history.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

/** Streams `n` synthetic events (reports and closures of 8,000 grids' cases) in frames through decoder + GPU columns. */
function streamLarge(n: number): Record<string, unknown> {
  const encoder = new HistoryEncoder();
  const decoder = new HistoryDecoder();
  const start = Date.parse('2026-01-01T00:00:00+08:00');
  const points = new PlaybackPoints(start, identity);
  let largestFrame = 0;
  let peakRss = 0;
  let events = 0;
  const spanMs = 180 * DAY;
  const [, timing] = timed(() => {
    for (let seq = 1; seq <= n; seq += FRAME) {
      const batch: StoredEvent[] = [];
      for (let i = 0; i < FRAME && seq + i <= n; i++) {
        const s = seq + i;
        const incident = `c${Math.floor(s / 2)}`;
        const at = new Date(start + Math.floor((s / n) * spanMs)).toISOString();
        batch.push(
          s % 2 === 0
            ? ({ id: `e${s}`, type: 'incident.reported', at, incident: { id: incident, location: [102.7 + (s % 997) * 1e-4, 25.0 + (s % 991) * 1e-4], category: 'other', channel: 'other' }, seq: s, recordedAt: 0, grid: `530102001001${String(s % 8000).padStart(3, '0')}` } as StoredEvent)
            : ({ id: `e${s}`, type: 'incident.closed', at, incidentId: `c${Math.floor((s - 1) / 2)}`, seq: s, recordedAt: 0, grid: `530102001001${String((s - 1) % 8000).padStart(3, '0')}` } as StoredEvent),
        );
      }
      const frame = encoder.encodeFrame(batch);
      largestFrame = Math.max(largestFrame, frame.length);
      for (const chunk of decoder.push(frame)) {
        points.add(chunk);
        events += chunk.count;
      }
      if (seq % 1_000_000 === 1) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  });
  decoder.end();
  return {
    events,
    incidents: points.length,
    ...timing,
    largestFrameBytes: largestFrame,
    largestGpuColumnBytes: points.length * 8,
    peakRssMB: round(peakRss / 2 ** 20),
    note: 'frames of 5,000 events; each frame is decoded and dropped, only the GPU columns (and the incident table) stay',
  };
}

main();
