/**
 * History benchmark (issue 6): how fast playback gets its first frame, and how compact history is on the wire and
 * in memory, our way (the GWHC columnar stream of protocol/history-codec.ts, decoded frame by frame) against the
 * naive way (one GeoJSON FeatureCollection of the events, JSON.parse'd whole before anything draws), in one run on
 * the same events. Arrow IPC (the paged `format=arrow`) is measured beside them for the codec choice.
 *
 *   npx tsx bench/history.bench.ts [events] [streamEvents] [perCase]   (re-runs itself with --expose-gc, bench/with-gc.ts)
 *   (defaults: 1,000,000 events from the simulator; a 20,000,000-event stream of synthetic frames, 8 events a case)
 *
 * 1. first frame: ours = decode the first frame + fill the GPU columns + fold it (what playback needs to draw);
 *    naive = JSON.parse of the whole body + a CPU filter for the first instant. Network time is left out of both
 *    (loopback); the wire bytes are recorded, and the naive body must arrive whole before its parse starts.
 * 2. bytes per event: on the wire (raw; gzip as the server sends it: one gzip stream with a Z_SYNC_FLUSH after every
 *    frame, before/after; and without details, as windowed playback asks) and in memory (typed columns, raw details,
 *    GPU columns; for the naive way the heap growth of the parsed GeoJSON).
 * 3. a 20M-event range in windowed playback (protocol/history-api.ts: above 1M events the tab keeps only the GPU
 *    columns and event times, and takes the state at t from the server): streamed without details through the
 *    decoder (no incident ids kept), the GPU columns and the event times; memory retained per event, and the largest
 *    single allocation (Chrome caps one at about 1 GB). What the detailed mode would hold for it is extrapolated
 *    from the 1M measurement.
 * 4. a window: the server's state answer at an instant of the 1M range (size, time to build) and the tab's cost to
 *    restore it and fold a window of events onto it.
 *
 * Writes bench/results/history.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finished } from 'node:stream/promises';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import type { IncomingEvent, StoredEvent } from '../protocol/events';
import { HISTORY_DETAIL_BUDGET, PLAYBACK_FOLD_OPTIONS } from '../protocol/history-api';
import { RecentChanges, TICKER_LENGTH } from '../protocol/recent-changes';
import { applyEvent, createState, restoreSnapshot } from '../protocol/reducer';
import { stateAnswer } from '../server/http/history-state';
import { EventTimes } from '../client/playback/event-times';
import { COLUMN_BYTES_PER_EVENT, HistoryDecoder, HistoryEncoder, type HistoryChunk } from '../protocol/history-codec';
import { encodeHistory } from '../server/http/history-format';
import { SimulationEngine } from '../server/simulator/engine';
import { PlaybackPoints } from '../client/playback/playback-points';
import { PlaybackTimeline } from '../client/playback/playback-timeline';
import { testCity } from '../tests/simulator/test-city';
import { exposedGc } from './with-gc';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.argv[2] ?? 1_000_000);
const STREAM_EVENTS = Number(process.argv[3] ?? 20_000_000);
/** events per case in the large stream: 8 (whole lifecycles, the default) or 2 (reported and closed: most cases) */
const STREAM_PER_CASE = process.argv[4] === '2' ? 2 : 8;
const FRAME = 5_000;
const DAY = 86_400_000;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const gc = exposedGc(['--max-old-space-size=8192']);
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

/** Bytes of frames sent as the server sends them gzipped: one gzip stream, a Z_SYNC_FLUSH after every frame. */
async function gzipStreamed(frames: readonly Uint8Array[]): Promise<number> {
  const gzip = createGzip({ level: 6 });
  let bytes = 0;
  gzip.on('data', (part: Buffer) => (bytes += part.length));
  for (const frame of frames) {
    gzip.write(frame);
    await new Promise<void>((resolve) => gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
  }
  gzip.end();
  await finished(gzip);
  return bytes;
}

async function main(): Promise<void> {
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
  const columnsGzip = await gzipStreamed(frames);
  const columnsOnlyFrames: Uint8Array[] = [];
  {
    const encoder = new HistoryEncoder();
    for (let i = 0; i < events.length; i += FRAME) columnsOnlyFrames.push(encoder.encodeFrame(events.slice(i, i + FRAME), { details: false }));
  }
  const columnsOnlyBytes = columnsOnlyFrames.reduce((n, f) => n + f.length, 0);
  const columnsOnlyGzip = await gzipStreamed(columnsOnlyFrames);
  columnsOnlyFrames.length = 0;
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
    return points.blockData();
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
    points.finish();
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

  // --- a window of the 1M range: the server's answer at the middle, and the tab's restore + fold of 20,000 events
  const window = measureWindow(events);
  parsed.collection.features.length = 0;

  // --- 20M events, windowed (columns only)
  // One shape per run: a large typed array freed by the first would still count in the second's baseline.
  const stream = streamLarge(STREAM_EVENTS, STREAM_PER_CASE);
  const measuredPerEvent = (heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers) / EVENTS;

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
      gzipSavedPercent: round(100 * (1 - columnsGzip / columnsBytes), 1),
      columnsOnly: round(columnsOnlyBytes / EVENTS),
      columnsOnlyGzip: round(columnsOnlyGzip / EVENTS),
      note: 'columns = the stream before gzip; columnsGzip = after (what the server sends to a client that accepts gzip: one gzip stream flushed per frame); columnsOnly = details=0, as windowed playback asks',
      json: round(jsonBytes / EVENTS),
      geojson: round(geojsonBytes / EVENTS),
      geojsonGzip: round(geojsonGzip / EVENTS),
      arrow: round(arrowBytesPerEvent),
    },
    bytesPerEventMemory: {
      typedColumns: COLUMN_BYTES_PER_EVENT,
      gpuColumns: round(points.bytes / EVENTS),
      gpuColumnsNote: 'PlaybackPoints: 21 B a segment (position, filter pair, colour, radius) + 41 B a case (bookkeeping, per-grid figures, heatmap), every typed array counted at its allocated length',
      segmentsPerEvent: round(points.length / EVENTS, 3),
      hotTotal: round(COLUMN_BYTES_PER_EVENT + points.bytes / EVENTS),
      rawDetails: round(detailBytes / EVENTS),
      measuredHeapAndBuffers: round(measuredPerEvent),
      naiveParsedGeoJsonHeap: round(naiveHeap / EVENTS),
      goal: '≤ 32 B per event in memory',
      note: 'detailed mode (up to 1M events): hotTotal = the decoded chunk columns the timeline keeps + the points; rawDetails (ids, notes, departments) are kept for the in-tab reducer fold and the CSV, so the whole detailed tab is measuredHeapAndBuffers. Above 1M events playback is windowed and keeps only the points and event times: stream20M.retainedBytesPerEvent is the figure held against the goal',
    },
    window,
    stream20M: {
      ...stream,
      detailedModeWouldHoldMB: round((measuredPerEvent * STREAM_EVENTS) / 2 ** 20),
      detailBudgetEvents: HISTORY_DETAIL_BUDGET,
    },
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/history.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

/**
 * A window of the 1M range as windowed playback uses it: the server folds up to the middle instant and answers its
 * state (trimmed to the open, recently ended and referenced cases) with the next 20,000 events; the tab restores it
 * and folds the window onto it.
 */
function measureWindow(events: StoredEvent[]): Record<string, unknown> {
  // Parsed once, outside the timings: the server's store selects by time in SQL, it parses nothing.
  const times = events.map((e) => Date.parse(e.at));
  const ordered = [...times].sort((a, b) => a - b);
  const at = ordered[Math.floor(ordered.length / 2)]!;
  const to = ordered[Math.min(ordered.length - 1, Math.floor(ordered.length / 2) + 20_000)]!;
  const state = createState(PLAYBACK_FOLD_OPTIONS);
  // the server's fold keeps its last changes for the ticker (server/http/history-state.ts)
  const recent = new RecentChanges(TICKER_LENGTH);
  const [, serverFold] = timed(() => {
    events.forEach((event, i) => {
      if (times[i]! > at) return;
      const applied = applyEvent(state, event);
      if (applied.ok) recent.push(event, times[i]!, applied.next);
    });
  });
  const windowEvents = events.filter((_, i) => times[i]! > at && times[i]! <= to);
  const [body, serverAnswer] = timed(() => JSON.stringify(stateAnswer(state, { from: 0, at, area: 'city' }, { to, events: windowEvents }, recent.latestFirst())));
  const [, tab] = timed(() => {
    const answer = JSON.parse(body) as ReturnType<typeof stateAnswer>;
    const restored = restoreSnapshot(answer.state);
    for (const event of answer.window.events) applyEvent(restored, event);
    return restored;
  });
  return {
    at: new Date(at).toISOString(),
    windowEvents: windowEvents.length,
    stateIncidentsKept: JSON.parse(body).state.incidents.length as number,
    stateIncidentsFolded: state.incidents.size,
    answerBytes: body.length,
    answerGzipBytes: gzipSync(body, { level: 6 }).length,
    serverFoldFromStart: serverFold,
    serverAnswer,
    tabRestoreAndFold: tab,
    note: 'the server folds from the range start once; later answers move its cursor forward (server/http/history-state.ts)',
  };
}

/** A whole lifecycle, as the simulator logs most cases: 8 events an incident. */
const LIFECYCLE = ['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.started', 'incident.resolved', 'incident.verified', 'incident.closed', 'incident.rated'] as const;

/** Synthetic event s (1-based) of a stream of n: incident s / perIncident, in 8,000 grids, over 180 days. */
function syntheticEvent(s: number, n: number, perIncident: 2 | 8, start: number): StoredEvent {
  const at = new Date(start + Math.floor((s / n) * 180 * DAY)).toISOString();
  const k = Math.floor((s - 1) / perIncident);
  const step = (s - 1) % perIncident;
  const type = perIncident === 8 ? LIFECYCLE[step]! : step === 0 ? 'incident.reported' : 'incident.closed';
  const incidentId = `c${k}`;
  const grid = `530102001001${String(k % 8000).padStart(3, '0')}`;
  const base = { id: `e${s}`, at, seq: s, recordedAt: 0, grid };
  if (type === 'incident.reported') return { ...base, type, incident: { id: incidentId, location: [102.7 + (k % 997) * 1e-4, 25.0 + (k % 991) * 1e-4], category: 'other', channel: 'other' } } as StoredEvent;
  const extra = type === 'incident.verified' ? { passed: true } : type === 'incident.rated' ? { satisfaction: 4 } : type === 'incident.dispatched' ? { departments: ['d1'] } : {};
  return { ...base, type, incidentId, ...extra } as StoredEvent;
}

/**
 * Streams `n` synthetic events without details, in frames, through the windowed playback's tab side: a decoder that
 * keeps no incident ids, the GPU columns (PlaybackPoints: one instance per status segment of a case, and per-case
 * columns) and the event times. `perIncident` 8: whole lifecycles (the simulator's mix is about 8 events a case);
 * 2: reported and closed at once (the most cases per event). Retained memory is measured after the stream, with
 * the encoder (the server's side) dropped and collected.
 */
function streamLarge(n: number, perIncident: 2 | 8): Record<string, unknown> {
  let encoder: HistoryEncoder | null = new HistoryEncoder();
  const start = Date.parse('2026-01-01T00:00:00+08:00');
  gc();
  const before = process.memoryUsage();
  const decoder = new HistoryDecoder({ incidentIds: false });
  const points = new PlaybackPoints(start, identity);
  const times = new EventTimes();
  let largestFrame = 0;
  let wireBytes = 0;
  let peakRss = 0;
  let events = 0;
  const [, timing] = timed(() => {
    for (let seq = 1; seq <= n; seq += FRAME) {
      const batch: StoredEvent[] = [];
      for (let i = 0; i < FRAME && seq + i <= n; i++) batch.push(syntheticEvent(seq + i, n, perIncident, start));
      const frame = encoder!.encodeFrame(batch, { details: false });
      largestFrame = Math.max(largestFrame, frame.length);
      wireBytes += frame.length;
      for (const chunk of decoder.push(frame)) {
        points.add(chunk);
        times.add(chunk);
        events += chunk.count;
      }
      if (seq % 1_000_000 === 1) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    points.finish();
  });
  decoder.end();
  encoder = null;
  gc();
  const after = process.memoryUsage();
  const retained = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
  const gpuColumnBytes = points.bytes;
  const largestColumnBytes = points.largestAllocation;
  return {
    mode: 'windowed',
    eventsPerIncident: perIncident,
    events,
    incidents: points.incidentCount,
    segments: points.length,
    ...timing,
    wireBytesPerEvent: round(wireBytes / events),
    largestFrameBytes: largestFrame,
    largestSingleAllocationBytes: largestColumnBytes,
    blocks: points.blockData().length,
    pointsBytesPerEvent: round(gpuColumnBytes / events),
    eventTimesBytesPerEvent: round(times.bytes / events),
    retainedBytesPerEvent: round(retained / events),
    retainedMB: round(retained / 2 ** 20),
    peakRssMB: round(peakRss / 2 ** 20),
    goal: '≤ 32 B per event retained in all; no allocation near 1 GB',
    note: "retained = heap + ArrayBuffers after the stream (encoder dropped): everything the tab keeps (PlaybackPoints: segments in blocks of 2^20, 22 B each (PlaybackPoints.BYTES_PER_SEGMENT), + per-case columns, 41 B each, trimmed to size when the stream ends; event times; grid table). pointsBytesPerEvent counts the points' typed arrays at their allocated length. peakRss includes the server-side encoder (its incident-id table) in the same process",
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

