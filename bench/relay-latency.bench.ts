/**
 * Relay benchmark: ingest → screen latency with 100 socket.io clients at 1,000 events/s, our way (one coalesced
 * frame per area room per tick, RELAY_MODE=batched) against the naive way (one emit per event, RELAY_MODE=per-event),
 * side by side in one run, each against a fresh server process on the Kunming package.
 *
 *   npx tsx bench/relay-latency.bench.ts [--seconds 20] [--rate 1000] [--clients 100] [--rounds 3] [--batch-ms N] [--out FILE] [--profile-server DIR]
 *
 * - The server runs as a child process (`server/main.ts`, SIMULATE=0, a temp SQLite store), so its CPU time is
 *   measured alone, from /proc/<pid>/stat (Linux). The clients and the poster run in this process.
 * - Half the clients watch the whole city, half watch one district each (round robin): like a wall of district
 *   screens plus city overviews. Deliveries = (event, client) pairs received.
 * - Latency is from just before the POST that carries an event to its arrival at a client (same clock), so it
 *   includes validation, the durable commit, the batch wait (≤ RELAY_BATCH_MS) and the client's decode.
 *
 * - --batch-ms sets RELAY_BATCH_MS for both modes' servers (default: the server's own default), so intervals can
 *   be compared; the one used is recorded in `setup.relayBatchMs`.
 * - Rounds: each round runs both modes and the ingest-only baseline, each on a fresh server, alternating which mode
 *   goes first. CPU readings of a 20 s window on a shared 2-core VM drift by ±10% from run to run, so one pair
 *   decides nothing: the ratio is reported for every round, its median is the headline, and the per-core goal is
 *   met only when every round meets it.
 *
 * Writes bench/results/relay-latency.json (or the file --out names there: `npm run bench` also runs it with
 * --batch-ms 75 --out relay-latency-75ms.json, the other end of the trade-off between latency and CPU).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { IngestResponse } from '../protocol/events';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/live';
import { loadConfig } from '../server/config';
import { loadCity } from '../server/geodata/load';
import { cpuOf, cpuSecondsOf, pointsIn, ROOT, startServerProcess, type GridPoint } from './soak/server-process';

const KEY = 'relay-bench-ingest-key-0123456789';
const { values, positionals } = parseArgs({ allowPositionals: true, options: { worker: { type: 'boolean' }, 'profile-server': { type: 'string' }, seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '1000' }, clients: { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, 'batch-ms': { type: 'string' }, out: { type: 'string', default: 'relay-latency.json' } } });
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
/** The relay batch interval under test: the server's default unless --batch-ms says otherwise. */
const BATCH_MS = values['batch-ms'] !== undefined ? Number(values['batch-ms']) : loadConfig({}, ROOT).relay.batchMs;
const POST_EVERY_MS = 50;
/** Client processes: the screens are spread over them so that decoding does not bottleneck on one core. */
const WORKERS = 4;
const WARMUP_MS = 2000;

type Mode = 'batched' | 'per-event';

interface ModeResult {
  mode: Mode;
  eventsPosted: number;
  eventsPerSecond: number;
  deliveries: number;
  deliveriesPerSecond: number;
  framesReceived: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; samples: number };
  serverCpuSeconds: number;
  /** the same CPU time split into user and kernel (system) time */
  serverCpuSplit: { user: number; system: number };
  /** CPU of the client processes over the same window: on a small machine they compete with the server */
  clientCpuSeconds: number;
  deliveriesPerCpuSecond: number;
  /** expected (event, client) deliveries minus received ones, after a 2 s drain */
  undelivered: number;
  /** 1-minute load average when the measured window began and ended: other work on the machine skews latency */
  loadAverage1m: [number, number];
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** A fresh server in `mode` on a temp SQLite store; `stop()` ends it and removes the store. */
async function startServer(mode: Mode): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-relay-bench-'));
  // --profile-server <dir> writes a V8 CPU profile of each server run there (to see where the server's time goes).
  const nodeArgs = values['profile-server'] ? ['--cpu-prof', `--cpu-prof-dir=${values['profile-server']}`] : [];
  const server = await startServerProcess(
    { DATA_DIR: dataDir, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '1000000', RELAY_MODE: mode, RELAY_BATCH_MS: String(BATCH_MS), RELAY_MAX_BUFFERED: '100000' },
    { nodeArgs },
  );
  return {
    url: server.url,
    child: server.child,
    async stop() {
      server.child.kill('SIGTERM');
      await server.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Client worker: connects its share of screens, reports latencies of events whose `at` lies in the window. */
async function clientWorker(url: string, areas: string[], from: number, to: number): Promise<void> {
  const latencies: number[] = [];
  let deliveries = 0;
  let allDeliveries = 0;
  let frames = 0;
  const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];
  for (const area of areas) {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${url}/live`, { transports: ['websocket'], reconnection: false });
    socket.on('events', (batch) => {
      const now = Date.now();
      frames++;
      for (const event of batch.events) {
        allDeliveries++;
        const at = Date.parse(event.at);
        if (at < from || at > to) continue;
        deliveries++;
        latencies.push(now - at);
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('snapshot', () => resolve());
      socket.emit('subscribe', { area }, (r) => (r.ok ? undefined : reject(new Error(r.error.message))));
    });
    sockets.push(socket);
  }
  process.send?.({ kind: 'ready' });
  process.on('message', (message: { kind: string }) => {
    if (message.kind !== 'report') return;
    for (const socket of sockets) socket.close();
    process.send?.({ kind: 'report', latencies, deliveries, allDeliveries, frames }, () => process.exit(0));
  });
}

interface Round {
  round: number;
  batched: ModeResult;
  perEvent: ModeResult;
  ingestOnlyCpuSeconds: number;
  ingestOnlyMicrosecondsPerEvent: number;
  deliveriesPerCpuSecondRatio: number;
  relayOnly: { batchedRelayCpuSeconds: number; perEventRelayCpuSeconds: number; ratio: number | null; atLeast3x: boolean };
}

interface WorkerReport {
  latencies: number[];
  deliveries: number;
  allDeliveries: number;
  frames: number;
}

async function runMode(mode: Mode, points: GridPoint[], areas: string[], watchers: (grid: string) => number): Promise<ModeResult> {
  const { url, child, stop } = await startServer(mode);
  const workerCount = Math.min(WORKERS, areas.length);
  const begin = Date.now() + 1000 + areas.length * 20; // connection time, generously
  const measureFrom = begin + WARMUP_MS;
  const measureTo = measureFrom + SECONDS * 1000;
  const workers = Array.from({ length: workerCount }, (_, w) => {
    const share = areas.filter((_, i) => i % workerCount === w);
    return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', url, share.join(','), String(measureFrom), String(measureTo)], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  });
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('exit', (code) => reject(new Error(`client worker exited with ${code}`)));
  })));

  const perPost = Math.round((RATE * POST_EVERY_MS) / 1000);
  let measuredPosted = 0;
  let expectedDeliveries = 0;
  let cursor = 0;
  const post = async () => {
    const at = new Date().toISOString();
    const sent = Array.from({ length: perPost }, () => points[cursor++ % points.length] as GridPoint);
    const events = sent.map(({ location }) => ({ id: `rb-${randomUUID()}`, type: 'incident.reported', at, incident: { id: `rbi-${randomUUID()}`, location, category: 'other', channel: 'other' } }));
    const inWindow = Date.parse(at) >= measureFrom && Date.parse(at) <= measureTo;
    const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ events }) });
    const body = (await res.json()) as IngestResponse;
    if (body.stored !== events.length) throw new Error(`only ${body.stored}/${events.length} stored`);
    for (const point of sent) expectedDeliveries += watchers(point.grid);
    if (inWindow) measuredPosted += events.length;
  };
  // A fixed schedule (not "post, then wait"), so a slow server shows as latency, not as a lower rate.
  const inFlight = new Set<Promise<void>>();
  let cpuStart = { user: 0, system: 0 };
  let cpuEnd = cpuStart;
  let clientCpuStart = 0;
  let loadAtStart = NaN;
  let measuring = false;
  let tick = 0;
  while (Date.now() < begin) await new Promise((r) => setTimeout(r, 10));
  const started = Date.now();
  for (;;) {
    const now = Date.now();
    if (!measuring && now >= measureFrom) {
      measuring = true;
      loadAtStart = os.loadavg()[0] ?? NaN;
      cpuStart = cpuOf(child.pid as number);
      clientCpuStart = workers.reduce((sum, w) => sum + cpuSecondsOf(w.pid as number), 0);
    }
    if (now > measureTo) break;
    const p = post().catch((err: unknown) => console.error(err));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    tick++;
    await new Promise((r) => setTimeout(r, Math.max(0, started + tick * POST_EVERY_MS - Date.now())));
  }
  await Promise.all(inFlight);
  cpuEnd = cpuOf(child.pid as number);
  const clientCpu = workers.reduce((sum, w) => sum + cpuSecondsOf(w.pid as number), 0) - clientCpuStart;
  await new Promise((r) => setTimeout(r, 2000)); // drain
  const reports = await Promise.all(workers.map((w) => new Promise<WorkerReport>((resolve) => {
    w.once('message', (m) => resolve(m as WorkerReport));
    w.send({ kind: 'report' });
  })));
  await stop();

  const latencies = Float64Array.from(reports.flatMap((r) => r.latencies)).sort();
  const deliveries = reports.reduce((a, r) => a + r.deliveries, 0);
  const split = { user: cpuEnd.user - cpuStart.user, system: cpuEnd.system - cpuStart.system };
  const cpu = split.user + split.system;
  const wall = (measureTo - measureFrom) / 1000;
  return {
    mode,
    eventsPosted: measuredPosted,
    eventsPerSecond: Math.round(measuredPosted / wall),
    deliveries,
    deliveriesPerSecond: Math.round(deliveries / wall),
    framesReceived: reports.reduce((a, r) => a + r.frames, 0),
    latencyMs: {
      p50: round(percentile(latencies, 0.5)),
      p90: round(percentile(latencies, 0.9)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies[latencies.length - 1] ?? NaN),
      samples: latencies.length,
    },
    serverCpuSeconds: round(cpu),
    serverCpuSplit: { user: round(split.user), system: round(split.system) },
    clientCpuSeconds: round(clientCpu),
    deliveriesPerCpuSecond: Math.round(deliveries / cpu),
    undelivered: expectedDeliveries - reports.reduce((a, r) => a + r.allDeliveries, 0),
    loadAverage1m: [round(loadAtStart), round(os.loadavg()[0] ?? NaN)],
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const city = await loadCity(path.join(ROOT, 'geodata', 'kunming'));
  const points = pointsIn(city);
  const districts = [...city.areas.values()].filter((a) => a.level === 'district').map((a) => a.code);
  const areas = Array.from({ length: CLIENTS }, (_, i) => (i % 2 === 0 ? 'city' : (districts[(i >> 1) % districts.length] as string)));
  const watchers = (grid: string) => areas.filter((a) => a === 'city' || grid.startsWith(a)).length;
  console.log(`relay bench: ${CLIENTS} clients (half city, half across ${districts.length} districts), ${RATE} events/s, ${SECONDS} s per mode, batches every ${BATCH_MS} ms`);
  /** CPU readings have 10 ms ticks and the machine is shared: below this, a difference is noise. */
  const NOISE_CPU_SECONDS = 0.2;
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which mode goes first, so a drift of the machine over the run does not favour one of them.
    const order: Mode[] = r % 2 === 0 ? ['batched', 'per-event'] : ['per-event', 'batched'];
    const byMode = new Map<Mode, ModeResult>();
    for (const mode of order) {
      const result = await runMode(mode, points, areas, watchers);
      console.log(JSON.stringify({ round: r + 1, ...result }));
      byMode.set(mode, result);
    }
    const batched = byMode.get('batched') as ModeResult;
    const perEvent = byMode.get('per-event') as ModeResult;
    // The same ingest with no screen at all: the CPU both modes spend before the relay. Subtracting it shows what
    // the relay itself costs per delivery.
    const ingestOnly = await runMode('batched', points, [], () => 0);
    const relayCpu = (m: ModeResult) => round(m.serverCpuSeconds - ingestOnly.serverCpuSeconds);
    const round_: Round = {
      round: r + 1,
      batched,
      perEvent,
      ingestOnlyCpuSeconds: ingestOnly.serverCpuSeconds,
      /** server CPU per ingested event with no screen: what both modes pay before the relay */
      ingestOnlyMicrosecondsPerEvent: Math.round((ingestOnly.serverCpuSeconds * 1e6) / Math.max(1, ingestOnly.eventsPosted)),
      deliveriesPerCpuSecondRatio: round(batched.deliveriesPerCpuSecond / perEvent.deliveriesPerCpuSecond),
      relayOnly: {
        batchedRelayCpuSeconds: relayCpu(batched),
        perEventRelayCpuSeconds: relayCpu(perEvent),
        /** null when the batched relay's own CPU is within measurement noise of zero */
        ratio: relayCpu(batched) >= NOISE_CPU_SECONDS ? round(relayCpu(perEvent) / relayCpu(batched)) : null,
        // a batched relay CPU within noise of zero counts as the noise floor, so the ratio is never flattered
        atLeast3x: relayCpu(perEvent) >= 3 * Math.max(relayCpu(batched), NOISE_CPU_SECONDS),
      },
    };
    console.log(JSON.stringify({ round: r + 1, ratio: round_.deliveriesPerCpuSecondRatio, relayOnly: round_.relayOnly, ingestOnlyCpuSeconds: round_.ingestOnlyCpuSeconds }));
    rounds.push(round_);
  }
  // The headline is the round with the median whole-server ratio; the goals hold only if every round meets them.
  const sorted = [...rounds].sort((a, b) => a.deliveriesPerCpuSecondRatio - b.deliveriesPerCpuSecondRatio);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as Round;
  const ratios = rounds.map((x) => x.deliveriesPerCpuSecondRatio);
  const summary = {
    benchmark: 'relay-latency',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    setup: { clients: CLIENTS, subscriptions: 'half city, half one district each', rate: RATE, seconds: SECONDS, postEveryMs: POST_EVERY_MS, relayBatchMs: BATCH_MS, city: 'kunming', rounds: ROUNDS },
    /** the median round's two modes */
    results: [median.batched, median.perEvent],
    medianRound: median.round,
    ingestOnlyCpuSeconds: median.ingestOnlyCpuSeconds,
    ingestOnlyMicrosecondsPerEvent: median.ingestOnlyMicrosecondsPerEvent,
    comparison: {
      /** the median round's */
      deliveriesPerCpuSecondRatio: median.deliveriesPerCpuSecondRatio,
      ratioPerRound: ratios,
      ratioMin: Math.min(...ratios),
      relayOnly: median.relayOnly,
      relayOnlyRatioPerRound: rounds.map((x) => x.relayOnly.ratio),
      batchedP99PerRound: rounds.map((x) => x.batched.latencyMs.p99),
      goals: {
        /** every round's batched p99 */
        p99AtMost100ms: rounds.every((x) => x.batched.latencyMs.p99 <= 100),
        /** whole server, every round: ingest (validation, the durable commit, the live state) included, the same in both modes */
        batchedAtLeast3xPerCore: rounds.every((x) => x.batched.deliveriesPerCpuSecond >= 3 * x.perEvent.deliveriesPerCpuSecond),
        /** what differs between the modes, every round: the relay's own CPU (server CPU minus the ingest-only run's) */
        batchedAtLeast3xPerCoreRelayOnly: rounds.every((x) => x.relayOnly.atLeast3x),
      },
    },
    rounds: rounds.map(({ batched, perEvent, ...rest }) => ({
      ...rest,
      batched: { serverCpuSeconds: batched.serverCpuSeconds, serverCpuSplit: batched.serverCpuSplit, latencyMs: batched.latencyMs, undelivered: batched.undelivered, loadAverage1m: batched.loadAverage1m },
      perEvent: { serverCpuSeconds: perEvent.serverCpuSeconds, serverCpuSplit: perEvent.serverCpuSplit, latencyMs: perEvent.latencyMs, undelivered: perEvent.undelivered, loadAverage1m: perEvent.loadAverage1m },
    })),
    notes: [
      'Server CPU from /proc/<pid>/stat of the server child process (all its threads: GC and JIT included); the clients run in 4 other processes on the same machine.',
      `Latency: client receive time minus the event \`at\` stamped just before its POST (ms resolution); it includes the durable SQLite commit and, in batched mode, the wait for the next frame (at most one ${BATCH_MS} ms interval; a frame goes out as soon as it is due).`,
      'relayOnly subtracts the server CPU of the same ingest with no screens (ingestOnlyCpuSeconds, measured in each round): validation, the SQLite commit and the live state cost the same in both modes.',
      'Two per-core goals: batchedAtLeast3xPerCore counts the whole server; batchedAtLeast3xPerCoreRelayOnly counts only what differs between the modes (the relay), which is what batching changes. Ingest CPU (ingestOnlyMicrosecondsPerEvent) is the same in both modes: HTTP and validation, and the durable SQLite write (schema 2: about 2.7 WAL pages per new incident, see server/store/README.md).',
      'Each round runs both modes and the ingest-only baseline on fresh servers, alternating which mode goes first; `results` is the median round (by whole-server ratio), and a goal counts as met only if every round meets it.',
      'The machine is shared with other work (see loadAverage); figures are indicative.',
    ],
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', values.out), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary.comparison));
}

// Interrupted: exit, so the servers still running are killed on the way out (bench/soak/server-process.ts).
if (!values.worker) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const entry = values.worker
  ? clientWorker(positionals[0] as string, (positionals[1] as string).split(','), Number(positionals[2]), Number(positionals[3]))
  : main();
entry.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
