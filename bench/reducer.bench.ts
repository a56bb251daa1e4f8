/**
 * Reducer benchmark: folding a simulated city's history with the shared reducer (protocol/reducer.ts), and keeping
 * per-area KPIs live our way (incremental counters: O(levels) per event) against the naive way (recount every
 * area's counters from the incident map after each event), side by side in one run on the same events.
 *
 *   npx tsx bench/reducer.bench.ts [events]        (default 1,000,000 events; about a minute on one core)
 *
 * Steps, each timed in wall-clock and CPU time (process.cpuUsage; the development machine is shared and its load
 * average is recorded, so CPU time is what the work really cost on a core):
 * 1. generate: the simulator engine makes the history (Kunming package when geodata/kunming exists, else the small
 *    test city), ~3,000 incidents a day: target ≥ 50k events/s;
 * 2. fold: all events into a fresh state (no eviction), then again with `evict` every simulated hour: target 1M
 *    events in a few seconds, and bounded memory with eviction;
 * 3. live KPIs per event: incremental (applyEvent + kpis) against naive (applyEvent + recountFromIncidents + kpis),
 *    on a sample of events applied to a state already holding a realistic live map;
 * 4. checkpoint: encode/decode time and size of the final state, and a city snapshot's size.
 *
 * Writes bench/results/reducer.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingEvent, StoredEvent } from '../protocol/events';
import {
  applyEvent,
  createState,
  decodeCheckpoint,
  encodeCheckpoint,
  evict,
  recountFromIncidents,
  snapshotOf,
  type CityState,
} from '../protocol/reducer';
import { kpis } from '../protocol/kpi';
import { loadCity } from '../server/geodata/load';
import { SimulationEngine } from '../server/simulator/engine';
import type { SimCity } from '../server/simulator/city-model';
import { testCity } from '../tests/simulator/test-city';
import { exposedGc } from './with-gc';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_EVENTS = Number(process.argv[2] ?? 1_000_000);
const PER_DAY = 3_000;
const DAY = 86_400_000;
const LIVE_SAMPLE = 400;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timed<T>(work: () => T): [T, Timing] {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const result = work();
  const used = process.cpuUsage(cpu);
  return [result, { wallMs: round(performance.now() - wall), cpuMs: round((used.user + used.system) / 1000) }];
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const perSecond = (n: number, ms: number): number => Math.round((n / ms) * 1000);
const gc = exposedGc();
const heapMiB = (): number => {
  gc();
  return round(process.memoryUsage().heapUsed / 2 ** 20, 1);
};

async function loadBenchCity(): Promise<{ city: SimCity; source: string }> {
  const dir = join(ROOT, 'geodata', 'kunming');
  if (existsSync(join(dir, 'city.json'))) return { city: await loadCity(dir), source: 'geodata/kunming' };
  return { city: testCity(), source: 'tests/simulator/test-city.ts (geodata/kunming missing)' };
}

/** The simulator's events and their grids: only generation is timed. */
function generate(city: SimCity, start: number): Array<[IncomingEvent, string]> {
  const engine = new SimulationEngine({ city, seed: 7, startAt: start, rate: PER_DAY / 86_400 });
  const out: Array<[IncomingEvent, string]> = [];
  const take = (event: IncomingEvent, grid: string): void => {
    out.push([event, grid]);
  };
  for (let t = start; out.length < TARGET_EVENTS; t += DAY / 24) engine.advance(t, take);
  out.length = TARGET_EVENTS;
  return out;
}

/** Stored events as the server would hand them to the reducer (seq and grid assigned). */
function toStored(generated: Array<[IncomingEvent, string]>): StoredEvent[] {
  return generated.map(([event, grid], i) => ({ ...event, seq: i + 1, recordedAt: Date.parse(event.at), grid }) as StoredEvent);
}

function foldAll(events: StoredEvent[], evictEveryMs: number | undefined): CityState {
  const state = createState();
  let nextEviction = 0;
  for (const event of events) {
    applyEvent(state, event);
    if (evictEveryMs !== undefined && event.recordedAt >= nextEviction) {
      evict(state, event.recordedAt);
      nextEviction = event.recordedAt + evictEveryMs;
    }
  }
  return state;
}

/** Per-event cost of keeping city and district KPIs live, our way and the naive way, on the same sample. */
function liveKpis(events: StoredEvent[]): Record<string, unknown> {
  // A realistic live map first: two weeks of history, evicting as the server does.
  const first = (events[0] as StoredEvent).recordedAt;
  const last = (events[events.length - 1] as StoredEvent).recordedAt;
  const warmUntil = Math.min(first + 14 * DAY, first + (last - first) * 0.7);
  const warm = events.filter((e) => e.recordedAt < warmUntil);
  const sample = events.slice(warm.length, warm.length + LIVE_SAMPLE);
  const district = (sample[0] as StoredEvent).grid.slice(0, 6);
  const prepare = (): CityState => {
    const state = foldAll(warm, 3_600_000);
    return state;
  };
  const incrementalState = prepare();
  const [, incremental] = timed(() => {
    for (const event of sample) {
      applyEvent(incrementalState, event);
      kpis(incrementalState, 'city', event.recordedAt);
      kpis(incrementalState, district, event.recordedAt);
    }
  });
  const naiveState = prepare();
  const liveIncidents = naiveState.incidents.size;
  const [, naive] = timed(() => {
    for (const event of sample) {
      applyEvent(naiveState, event);
      // The naive way: throw the counters away and recount every area from the incidents.
      const recounted = recountFromIncidents(naiveState.incidents.values());
      naiveState.areas.clear();
      for (const [code, counters] of recounted) naiveState.areas.set(code, counters);
      naiveState.chains.clear();
      kpis(naiveState, 'city', event.recordedAt);
      kpis(naiveState, district, event.recordedAt);
    }
  });
  return {
    sampleEvents: sample.length,
    liveIncidents,
    incremental: { ...incremental, microsPerEventCpu: round((incremental.cpuMs * 1000) / sample.length) },
    naive: { method: 'recountFromIncidents over the live map after every event', ...naive, microsPerEventCpu: round((naive.cpuMs * 1000) / sample.length) },
    speedupCpu: round(naive.cpuMs / Math.max(incremental.cpuMs, 0.01), 1),
    note: 'the naive recount only sees the live map: after eviction it also gets the figures wrong, which the incremental counters do not',
  };
}

/** Fold with hourly eviction, as the server runs; only figures leave, so the state can be collected after. */
function evictingPhase(events: StoredEvent[]) {
  const heapBefore = heapMiB();
  const [state, foldEvicting] = timed(() => foldAll(events, 3_600_000));
  const heapEvicted = round(heapMiB() - heapBefore, 1);
  const [bytes, encodeEvicted] = timed(() => encodeCheckpoint(state));
  const [, decodeEvicted] = timed(() => decodeCheckpoint(bytes));
  const district = [...state.areas.keys()].find((code) => code.length === 6) ?? 'city';
  const screenSnapshots = {
    cityAllDaysJsonChars: JSON.stringify(snapshotOf(state, 'city')).length,
    cityTwoDaysJsonChars: JSON.stringify(snapshotOf(state, 'city', { days: 2 })).length,
    [`district${district}TwoDaysJsonChars`]: JSON.stringify(snapshotOf(state, district, { days: 2 })).length,
  };
  return { heapEvicted, evictedLive: state.incidents.size, foldEvicting, evictedCheckpoint: { length: bytes.length }, encodeEvicted, decodeEvicted, screenSnapshots };
}

async function main(): Promise<void> {
  const { city, source } = await loadBenchCity();
  const start = Date.parse('2026-09-01T00:00:00+08:00');
  console.log(`reducer bench: ${TARGET_EVENTS.toLocaleString('en')} events from ${source} (${city.grids.length} grids)`);

  const [generated, generation] = timed(() => generate(city, start));
  const events = toStored(generated);
  generated.length = 0;
  const days = round(((events[events.length - 1] as StoredEvent).recordedAt - start) / DAY, 1);
  console.log(`generate: ${perSecond(events.length, generation.cpuMs).toLocaleString('en')} events/s CPU (${days} simulated days)`);

  // Each fold's heap is measured with the other state released, against the heap holding only the events.
  const { heapEvicted, evictedLive, foldEvicting, evictedCheckpoint, encodeEvicted, decodeEvicted, screenSnapshots } = evictingPhase(events);
  console.log(`fold with eviction: ${perSecond(events.length, foldEvicting.cpuMs).toLocaleString('en')} events/s CPU, ${evictedLive} incidents live, checkpoint ${(evictedCheckpoint.length / 2 ** 20).toFixed(1)} MiB`);

  const heapBeforeFull = heapMiB();
  const [full, foldPlain] = timed(() => foldAll(events, undefined));
  const heapFull = round(heapMiB() - heapBeforeFull, 1);
  const fullIncidents = full.incidents.size;
  const [checkpointBytes, encode] = timed(() => encodeCheckpoint(full));
  const [decoded, decode] = timed(() => decodeCheckpoint(checkpointBytes));
  const snapshotBytes = JSON.stringify(snapshotOf(full, 'city')).length;
  if (decoded.headSeq !== full.headSeq) throw new Error('checkpoint round trip lost the head seq');
  console.log(`fold: ${perSecond(events.length, foldPlain.cpuMs).toLocaleString('en')} events/s CPU, ${fullIncidents} incidents kept, checkpoint ${(checkpointBytes.length / 2 ** 20).toFixed(1)} MiB`);

  const live = liveKpis(events);
  console.log(`live KPIs per event: incremental ${JSON.stringify((live.incremental as { microsPerEventCpu: number }).microsPerEventCpu)} µs, naive ${JSON.stringify((live.naive as { microsPerEventCpu: number }).microsPerEventCpu)} µs (×${String(live.speedupCpu)})`);

  const results = {
    benchmark: 'reducer',
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      loadAverage1m: round(os.loadavg()[0] ?? 0),
      node: process.version,
      note: 'one JS thread; targets judged on CPU time, wall-clock beside it (shared machine)',
    },
    input: { source, grids: city.grids.length, events: events.length, simulatedDays: days, incidentsPerDay: PER_DAY },
    generation: { ...generation, eventsPerSecondCpu: perSecond(events.length, generation.cpuMs), eventsPerSecondWall: perSecond(events.length, generation.wallMs), target: '≥ 50,000 events/s' },
    fold: {
      noEviction: { ...foldPlain, eventsPerSecondCpu: perSecond(events.length, foldPlain.cpuMs), incidents: fullIncidents, areas: full.areas.size, heapMiB: heapFull },
      evictingHourly: { ...foldEvicting, eventsPerSecondCpu: perSecond(events.length, foldEvicting.cpuMs), liveIncidents: evictedLive, heapMiB: heapEvicted },
      target: '1M events in a few seconds',
    },
    checkpoint: {
      format: 'version byte + UTF-8 JSON of the city snapshot (day counters packed as arrays)',
      noEviction: { bytes: checkpointBytes.length, encode, decode },
      evictingHourly: { bytes: evictedCheckpoint.length, encode: encodeEvicted, decode: decodeEvicted },
      citySnapshotJsonChars: snapshotBytes,
    },
    screenSnapshotsEvictingHourly: screenSnapshots,
    liveKpis: live,
  };
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'reducer.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/reducer.json');
}

await main();
