/**
 * Store benchmark: restart with 1M events stored, and append throughput with and without group commit.
 *
 *   npx tsx bench/store-restart.bench.ts [--events 1000000]      (about 2–3 minutes on 2 cores)
 *
 * 1. Fills a fresh SQLite store with synthetic incidents that walk the real lifecycle (受理 → … → 结案 → 评价), with
 *    realistic payloads and the reducer's own projection docs, 10k events per append (one transaction each).
 * 2. Each from a freshly reopened store (the OS page cache is warm: the file was just written):
 *    - reading the whole log, store only: readSeqRange(0) into one array (naive) versus streamSeqRange pages of 5k;
 *    - restart: full replay (streamed read + reducer fold of every event) versus loadCheckpoint + decodeCheckpoint
 *      + fold of the 10k events after the checkpoint.
 * 3. Append throughput on SQLite (and PostgreSQL when reachable): single-event append() calls issued 200 at a time
 *    (group commit folds them into one transaction per tick) versus awaited one by one (one commit, one fsync, each).
 * 4. The indexed queries on the 1M store (median of 5 runs each): a time range within an area (a district for a day,
 *    one grid for the whole month, the city for an hour), open incidents by area, an incident's events, and the
 *    ids of a 50-event batch looked up at once (what ingest does for retries).
 *
 * Writes bench/results/store.json.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CATEGORIES, CHANNELS } from '../protocol/catalogues';
import type { CanonicalEvent } from '../protocol/events';
import { applyEvent, createState, decodeCheckpoint, encodeCheckpoint, evict, transition, type CityState, type IncidentRecord } from '../protocol/reducer';
import type { EventStore, EventToAppend } from '../server/store/event-store';
import { openEventStore } from '../server/store/open-event-store';
import { dropSchema, openSchemaStore, uniqueSchema } from '../tests/helpers/postgres';

const argEvents = process.argv.indexOf('--events');
const TOTAL = argEvents > 0 ? Number(process.argv[argEvents + 1]) : 1_000_000;
const FILL_BATCH = 10_000;
const TAIL = 10_000;
const OPEN_CASES = 3_000;
/** About 4,000 cases a day of ~8 events each: a Kunming-sized city; 1M events are a month of history. */
const EVENTS_PER_DAY = 33_000;

/** A small seeded PRNG (mulberry32), so every run stores the same city. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 8 districts × 8 streets × 8 communities × 10 grids = 5,120 grids of a Kunming-like city. */
const GRIDS: string[] = [];
for (let d = 0; d < 8; d++)
  for (let s = 1; s <= 8; s++)
    for (let c = 1; c <= 8; c++)
      for (let g = 1; g <= 10; g++) GRIDS.push(`5301${String(2 + d).padStart(2, '0')}${String(s).padStart(3, '0')}${String(c).padStart(3, '0')}${String(g).padStart(3, '0')}`);

const CATEGORY_CODES = CATEGORIES.map((category) => category.code);
const CHANNEL_CODES = CHANNELS.map((channel) => channel.code);
const DESCRIPTIONS = [
  '小区门口垃圾桶满溢，周边散落生活垃圾，气味较大，居民多次反映，请尽快清运并加强巡查。',
  '路口有流动摊贩占道经营，早晚高峰影响行人和非机动车通行，存在安全隐患。',
  '楼上住户装修噪音持续到晚上十点以后，多次沟通无果，请社区网格员协调处理。',
  '人行道井盖松动缺损，夜间照明不足，老人和儿童经过时容易绊倒，请尽快维修。',
];

interface Active {
  record: IncidentRecord;
  grid: string;
}

/** Yields batches of events in seq order, each with the projection the reducer computes (as ingest does). */
function* syntheticLog(total: number): Generator<EventToAppend[]> {
  const random = prng(20261122);
  const active: Active[] = [];
  let clock = Date.parse('2026-10-23T00:00:00+08:00');
  const step = 86_400_000 / EVENTS_PER_DAY;
  let seq = 0;
  let incidents = 0;
  let batch: EventToAppend[] = [];
  while (seq < total) {
    clock += step * (0.5 + random());
    const at = new Date(clock).toISOString();
    const actor = { id: `worker-${Math.floor(random() * 900)}`, name: '网格员', role: 'officer' as const };
    let event: CanonicalEvent;
    let slot = -1;
    let prev: IncidentRecord | undefined;
    let grid: string;
    if (active.length < OPEN_CASES || random() < 0.01) {
      const id = `inc-${++incidents}`;
      grid = GRIDS[Math.floor(random() * GRIDS.length)] ?? '530102001001001';
      event = {
        id: `${id}-r`, type: 'incident.reported', at, actor,
        incident: {
          id, location: [102.6 + random() * 0.2, 24.9 + random() * 0.2],
          category: CATEGORY_CODES[incidents % CATEGORY_CODES.length] ?? 'other', channel: CHANNEL_CODES[incidents % CHANNEL_CODES.length] ?? 'other',
          priority: 'normal', title: '市民反映问题', address: '云南省昆明市五华区某街道某社区某小区', description: DESCRIPTIONS[incidents % DESCRIPTIONS.length],
        },
      };
    } else {
      slot = Math.floor(random() * active.length);
      const case_ = active[slot] as Active;
      prev = case_.record;
      grid = case_.grid;
      const base = { incidentId: prev.id, at, actor, id: `${prev.id}-${prev.lastSeq}` };
      switch (prev.status) {
        case 'reported': event = random() < 0.03 ? { ...base, type: 'incident.cancelled', reason: '重复上报' } : { ...base, type: 'incident.registered' }; break;
        case 'registered': event = { ...base, type: 'incident.dispatched', departments: ['dept-cg', 'dept-env'] }; break;
        case 'dispatched': event = { ...base, type: 'incident.started' }; break;
        case 'in_progress': event = { ...base, type: 'incident.resolved', note: '已现场处置完毕，附处置前后照片。' }; break;
        case 'resolved': event = { ...base, type: 'incident.verified', passed: random() > 0.05 }; break;
        case 'verified': event = { ...base, type: 'incident.closed' }; break;
        default: event = { ...base, type: 'incident.rated', satisfaction: 3 + Math.floor(random() * 3) };
      }
    }
    const result = transition(prev, event, grid, seq + 1);
    if (!result.ok) throw new Error(`synthetic log made an illegal event (${result.field}: ${result.reason})`);
    seq += 1;
    const next = result.next;
    const finished = next.status === 'cancelled' || (next.status === 'closed' && (next.satisfaction !== undefined || random() < 0.3));
    if (slot < 0) active.push({ record: next, grid });
    else if (finished) active[slot] = active[active.length - 1] as Active, active.pop();
    else (active[slot] as Active).record = next;
    batch.push({ event, grid, projection: { id: next.id, grid, status: next.status, updatedAt: next.updatedAt, doc: next } });
    if (batch.length === FILL_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: Math.round(performance.now() - started), value };
}

/**
 * Folds events as the server does: applyEvent per event, and evict every 5k events (the server evicts every
 * minute), so that closed cases leave the live map and memory stays bounded.
 */
function foldPage(state: CityState, events: Iterable<Parameters<typeof applyEvent>[1]>): number {
  let refused = 0;
  let sinceEvict = 0;
  for (const event of events) {
    if (!applyEvent(state, event).ok) refused++;
    if (++sinceEvict === 5000) {
      evict(state, state.clock);
      sinceEvict = 0;
    }
  }
  evict(state, state.clock);
  return refused;
}

async function restartBenchmarks(dataDir: string) {
  const reopen = () => timed(() => openEventStore({ dataDir }));
  const heapMiB = () => Math.round(process.memoryUsage().heapUsed / 2 ** 20);

  // Reading the log, store only. Streamed: pages of 5k, each dropped before the next.
  const streamOpen = await reopen();
  let streamPeakHeap = 0;
  const streamRead = await timed(async () => {
    let rows = 0;
    for await (const page of streamOpen.value.streamSeqRange(0)) {
      rows += page.length;
      streamPeakHeap = Math.max(streamPeakHeap, heapMiB());
    }
    return rows;
  });
  await streamOpen.value.close();

  // Naive: one readSeqRange(0), the whole log in one array (after the streamed read, so that its garbage does not
  // count against the stream's heap).
  const naiveOpen = await reopen();
  const naiveRead = await timed(() => naiveOpen.value.readSeqRange(0));
  const naiveHeap = heapMiB();
  const events = naiveRead.value.length;
  naiveRead.value.length = 0;
  await naiveOpen.value.close();
  global.gc?.();

  // Full replay (streamed read + fold). On the way, at head - TAIL, the checkpoint is taken as the server takes it
  // (its encoding is timed apart and not counted in the replay).
  const replayOpen = await reopen();
  const head = await replayOpen.value.headSeq();
  const state = createState();
  let refused = 0;
  const replayToCheckpoint = await timed(async () => {
    for await (const page of replayOpen.value.streamSeqRange(0, head - TAIL)) refused += foldPage(state, page);
  });
  const encoded = await timed(async () => encodeCheckpoint(state));
  await replayOpen.value.saveCheckpoint(head - TAIL, encoded.value);
  const replayTail = await timed(async () => {
    for await (const page of replayOpen.value.streamSeqRange(head - TAIL)) refused += foldPage(state, page);
  });
  await replayOpen.value.close();

  const checkpointOpen = await reopen();
  const checkpointRestart = await timed(async () => {
    const saved = await checkpointOpen.value.loadCheckpoint();
    if (!saved) throw new Error('checkpoint missing');
    const restored = decodeCheckpoint(saved.state);
    let tail = 0;
    for await (const page of checkpointOpen.value.streamSeqRange(saved.seq)) {
      foldPage(restored, page);
      tail += page.length;
    }
    return { tail, incidents: restored.incidents.size };
  });
  await checkpointOpen.value.close();

  const fullReplayMs = replayOpen.ms + replayToCheckpoint.ms + replayTail.ms;
  const checkpointMs = checkpointOpen.ms + checkpointRestart.ms;
  return {
    events,
    readLog: {
      naiveReadAll: { reopenMs: naiveOpen.ms, ms: naiveRead.ms, heapAfterMiB: naiveHeap },
      streamed: { reopenMs: streamOpen.ms, ms: streamRead.ms, peakHeapMiB: streamPeakHeap, pageSize: 5000 },
    },
    restart: {
      fullReplay: { ms: fullReplayMs, refusedByReducer: refused },
      checkpointPlusTail: {
        ms: checkpointMs, checkpointSeq: head - TAIL, tailEvents: checkpointRestart.value.tail,
        checkpointBytes: encoded.value.length, encodeMs: encoded.ms, liveIncidents: checkpointRestart.value.incidents,
      },
      speedup: Math.round((fullReplayMs / Math.max(1, checkpointMs)) * 10) / 10,
    },
  };
}

/** Median wall time of `runs` runs of a query, in ms (one decimal), with the size of its answer. */
async function medianMs(work: () => Promise<number>, runs = 5): Promise<{ ms: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    rows = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round((times[Math.floor(runs / 2)] ?? NaN) * 10) / 10, rows };
}

/** The queries that rely on indexes, on the filled store. */
async function queryBenchmarks(dataDir: string) {
  const store = await openEventStore({ dataDir });
  try {
    const head = await store.headSeq();
    const first = (await store.readSeqRange(0, 1))[0];
    const last = (await store.readSeqRange(head - 1, head))[0];
    if (!first || !last) throw new Error('the store is empty');
    const start = Date.parse(first.at);
    const end = Date.parse(last.at);
    const day = 24 * 3600_000;
    const middle = start + Math.floor((end - start) / 2 / day) * day;
    const district = GRIDS[0]?.slice(0, 6) as string;
    const grid = GRIDS[17] as string;
    const sample = await store.readSeqRange(head - 5000, head - 5000 + 50);
    const ids = sample.map((event) => event.id);
    const incidentIds = [...new Set(sample.map((event) => (event.type === 'incident.reported' ? event.incident.id : event.incidentId)))].slice(0, 20);
    return {
      timeRangeDistrictDayFirstPage: await medianMs(async () => (await store.readTimeRange({ from: middle, to: middle + day, area: district, limit: 5000 })).length),
      timeRangeGridMonth: await medianMs(async () => (await store.readTimeRange({ from: start, to: end, area: grid })).length),
      timeRangeCityHour: await medianMs(async () => (await store.readTimeRange({ from: middle, to: middle + 3600_000, area: 'city' })).length),
      seqRangeDistrict5000: await medianMs(async () => (await store.readSeqRange(head - 5000, head, district)).length),
      openIncidentsDistrict: await medianMs(async () => (await store.openIncidents(district)).length),
      openIncidentsCity: await medianMs(async () => (await store.openIncidents('city')).length),
      incidentEvents20: await medianMs(async () => (await Promise.all(incidentIds.map((id) => store.incidentEvents(id)))).flat().length),
      findEvents50: await medianMs(async () => (await store.findEvents([...ids, ...ids.map((id) => `${id}-absent`)])).size),
      getIncidents20: await medianMs(async () => (await store.getIncidents(incidentIds)).size),
    };
  } finally {
    await store.close();
  }
}

/** Single-event appends: `concurrency` in flight at a time (group commit) versus awaited one by one. */
async function appendThroughput(open: () => Promise<EventStore>, grouped: number, serial: number) {
  const events = [...syntheticLog(grouped + serial)].flat();
  const store = await open();
  try {
    const groupedRun = await timed(async () => {
      for (let i = 0; i < grouped; i += 200) await Promise.all(events.slice(i, i + 200).map((e) => store.append([e])));
    });
    const serialRun = await timed(async () => {
      for (const e of events.slice(grouped, grouped + serial)) await store.append([e]);
    });
    const groupCommitPerS = Math.round((grouped / groupedRun.ms) * 1000);
    const oneTxPerEventPerS = Math.round((serial / serialRun.ms) * 1000);
    return { groupCommit: { events: grouped, concurrency: 200, ms: groupedRun.ms, eventsPerS: groupCommitPerS },
      oneTransactionPerEvent: { events: serial, ms: serialRun.ms, eventsPerS: oneTxPerEventPerS },
      speedup: Math.round((groupCommitPerS / oneTxPerEventPerS) * 10) / 10 };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const loadAtStart = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
  const wallStart = performance.now();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'gridwatch-bench-store-'));
  try {
    console.log(`filling ${TOTAL.toLocaleString()} events…`);
    const store = await openEventStore({ dataDir });
    const fill = await timed(async () => {
      let written = 0;
      for (const batch of syntheticLog(TOTAL)) {
        await store.append(batch);
        written += batch.length;
        if (written % 100_000 === 0) process.stdout.write(`  ${written.toLocaleString()}\n`);
      }
    });
    await store.close();
    const fileMiB = Math.round(statSync(join(dataDir, 'events.sqlite')).size / 2 ** 20);
    console.log(`filled in ${fill.ms} ms (${fileMiB} MiB); measuring restart…`);
    const restart = await restartBenchmarks(dataDir);
    console.log(JSON.stringify(restart, null, 2));
    const queries = await queryBenchmarks(dataDir);
    console.log(JSON.stringify(queries, null, 2));

    console.log('append throughput…');
    const sqliteDir = mkdtempSync(join(os.tmpdir(), 'gridwatch-bench-append-'));
    const sqliteAppend = await appendThroughput(() => openEventStore({ dataDir: sqliteDir }), 20_000, 2_000);
    rmSync(sqliteDir, { recursive: true, force: true });
    let postgresAppend: unknown = 'skipped: PostgreSQL unreachable';
    const schema = uniqueSchema('bench_store');
    try {
      postgresAppend = await appendThroughput(() => openSchemaStore(schema), 10_000, 1_000);
    } catch (error) {
      postgresAppend = `skipped: ${(error as Error).message}`;
    } finally {
      // unreachable: nothing was created
      await dropSchema(schema).catch(() => undefined);
    }
    const append = { sqlite: sqliteAppend, postgres: postgresAppend };
    console.log(JSON.stringify(append, null, 2));

    const results = {
      benchmark: 'store-restart',
      date: new Date().toISOString(),
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version, platform: `${os.platform()} ${os.release()}`,
        // The machine is shared: a load above the core count means the figures are CPU-starved wall times.
        loadAverage1mAtStart: loadAtStart, loadAverage1mAtEnd: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
        processCpuSeconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e6),
        wallSeconds: Math.round((performance.now() - wallStart) / 1000),
      },
      notes: [
        'SQLite in WAL mode with synchronous=FULL; OS page cache warm (the file had just been written).',
        'fold = protocol/reducer applyEvent; checkpoint = protocol/snapshot encodeCheckpoint (version byte + JSON).',
        'append: single-event append() calls, 200 in flight (group commit) vs awaited one at a time.',
        'queries: median ms of 5 runs on the filled store (schema 2: (at, grid) index, incident seqs on the projection row).',
      ],
      fill: { events: TOTAL, eventsPerAppend: FILL_BATCH, ms: fill.ms, eventsPerS: Math.round((TOTAL / fill.ms) * 1000), fileMiB },
      restart,
      queries,
      append,
    };
    const out = new URL('./results/store.json', import.meta.url);
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${out.pathname}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
