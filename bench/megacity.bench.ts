/**
 * Megacity benchmark: the ~100k-grid synthetic megacity (`.cache/geodata/megacity/`, built by
 * `npm run geodata:build -- megacity` when absent) at a Beijing-12345-scale rate, one relay node against three on
 * this machine, all on the local PostgreSQL (a schema per run) and, for the cluster runs, Redis.
 *
 *   npx tsx bench/megacity.bench.ts [--seconds 15] [--clients 60] [--stress-rate 600]
 *
 * The rate: 60–70k cases a day is 65,000 / 86,400 ≈ 0.75 cases/s; a case writes about 7 events over its life
 * (reported, registered, dispatched, started, resolved, verified, closed), so ≈ 5.3 events/s on average and, at the
 * 20× peak, ≈ 105 events/s. Each run posts that peak (pairs of `incident.reported` and, a tick later, its
 * `incident.registered`) in batches every 200 ms (as a hotline platform pushes), round robin over the nodes, as a load balancer would; a stress run
 * posts --stress-rate events/s to find headroom.
 *
 * Screens (--clients) are spread round robin over the nodes; half watch the whole city, half one district each.
 * Latency is from just before the POST carrying an event to its arrival at a screen (one clock), so it includes
 * validation, the durable commit, the follower's read of the shared log, the batch wait (RELAY_BATCH_MS = 75) and
 * decoding. "cross-node" is the part delivered by a node other than the one that ingested the event: there the
 * Redis wake-up (serverSideEmit of the new head) replaces waiting for the follower's poll. The run
 * `3 nodes, polling` leaves REDIS_URL unset (each follower polls every 75 ms) to measure that gain.
 *
 * Server CPU is read from /proc/<pid>/stat of the node processes. Writes bench/results/megacity.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { IncomingEvent, IngestResponse, StoredEvent } from '../protocol/events';
import type { ClientToServerEvents, EventBatch, ServerToClientEvents } from '../protocol/live';
import { createGridIndex } from '../server/geodata/grid-index';
import { loadCity } from '../server/geodata/load';
import { dropSchema as dropTestSchema, uniqueSchema } from '../tests/helpers/postgres';
import { cpuSecondsOf } from './soak/server-process';

const ROOT = path.resolve(import.meta.dirname, '..');
const CITY_DIR = path.join(ROOT, '.cache', 'geodata', 'megacity');
const KEY = 'megacity-bench-ingest-key-0123456789';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, clients: { type: 'string', default: '60' }, 'stress-rate': { type: 'string', default: '600' } } });
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const STRESS_RATE = Number(values['stress-rate']);
const CASES_PER_DAY = 65_000;
const EVENTS_PER_CASE = 7;
const PEAK_FACTOR = 20;
const PEAK_RATE = Math.round((CASES_PER_DAY / 86_400) * EVENTS_PER_CASE * PEAK_FACTOR);
const POST_EVERY_MS = 200;
const WARMUP_MS = 2_000;
const DRAIN_MS = 2_500;

interface Scenario {
  name: string;
  nodes: number;
  redis: boolean;
  rate: number;
}

interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  samples: number;
}

interface ScenarioResult extends Scenario {
  seconds: number;
  eventsPerSecondIn: number;
  deliveriesPerSecondOut: number;
  latencyMs: Latency;
  /** POST → its answer (every event durable) */
  ackLatencyMs: Latency;
  crossNodeLatencyMs: Latency | null;
  sameNodeLatencyMs: Latency;
  /** expected (event, screen) deliveries minus received ones, after the drain */
  undelivered: number;
  serverCpuSeconds: number;
  rejectedOrFailedPosts: number;
}

function percentiles(samples: number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length === 0 ? 0 : Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1)));
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), samples: sorted.length };
}

interface Node {
  id: string;
  url: string;
  child: ChildProcess;
}

function startNode(id: string, schema: string, redis: boolean): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      NODE_ID: id,
      CITY: CITY_DIR,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `gridwatch-megacity-${id}-`)),
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      ...(redis ? { REDIS_URL } : { REDIS_URL: '' }),
      SIMULATE: '0',
      INGEST_KEY: KEY,
      INGEST_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'warn',
      // Pinned: megacity.json was measured with the 75 ms interval (the default then; it is 50 ms since), and the
      // polling run's followers poll every RELAY_BATCH_MS. Re-run with the default before changing this.
      RELAY_BATCH_MS: '75',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start in 120 s:\n${output}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ id, url: match[1], child });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited with ${code}:\n${output}`));
    });
  });
}

function dropSchema(schema: string): Promise<void> {
  return dropTestSchema(schema, DATABASE_URL);
}

/** Every node started, so that an interrupted run leaves none behind. */
const started: Node[] = [];

/** A cluster of `count` nodes on a fresh schema. */
async function startCluster(count: number, redis: boolean): Promise<{ nodes: Node[]; schema: string }> {
  const schema = uniqueSchema('megacity_bench');
  console.log(`\n-- starting ${count} node(s) on the megacity (${redis ? 'with' : 'without'} Redis)…`);
  // The first node migrates the schema; the others start together.
  const nodes: Node[] = [await startNode('node-1', schema, redis)];
  nodes.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startNode(`node-${i + 2}`, schema, redis)))));
  started.push(...nodes);
  return { nodes, schema };
}

function stopNodes(nodes: Node[]): Promise<void> {
  return Promise.all(
    nodes.map(
      (n) =>
        new Promise<void>((resolve) => {
          if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
          n.child.once('exit', () => resolve());
          n.child.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

async function runScenario(scenario: Scenario, nodes: Node[], points: Array<[number, number]>, districts: string[]): Promise<ScenarioResult> {
  console.log(`\n== ${scenario.name}: ${scenario.nodes} node(s), ${scenario.redis ? 'Redis wake-ups' : 'polling'}, ${scenario.rate} events/s`);
  type Screen = { socket: Socket<ServerToClientEvents, ClientToServerEvents>; node: number; area: string };
  const screens: Screen[] = [];
  /** event id → [post time, ingest node] */
  const posted = new Map<string, [number, number]>();
  const samples: number[] = [];
  const crossSamples: number[] = [];
  const sameSamples: number[] = [];
  /** POST → ack (durable) */
  const ackSamples: number[] = [];
  let measuring = false;
  let deliveries = 0;
  let expected = 0;
  let failedPosts = 0;
  let firstFailure: string | undefined;
  try {
    for (let c = 0; c < CLIENTS; c++) {
      const node = c % nodes.length;
      const area = c % 2 === 0 ? 'city' : (districts[Math.floor(c / 2) % districts.length] as string);
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${(nodes[node] as Node).url}/live`, { transports: ['websocket'], reconnection: false });
      const screen = { socket, node, area };
      socket.on('events', (batch: EventBatch) => {
        const now = performance.now();
        for (const event of batch.events as StoredEvent[]) {
          const sent = posted.get(event.id);
          if (!sent || !measuring) continue;
          const latency = now - sent[0];
          deliveries++;
          samples.push(latency);
          (sent[1] === node ? sameSamples : crossSamples).push(latency);
        }
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const ack = await socket.emitWithAck('subscribe', { area });
      if (!ack.ok) throw new Error(`subscribe ${area}: ${ack.error.message}`);
      screens.push(screen);
    }
    const cpuBefore = nodes.reduce((sum, n) => sum + (cpuSecondsOf(n.child.pid ?? 0) || 0), 0);
    let pendingRegistrations: string[] = [];
    let tick = 0;
    let ingested = 0;
    const perTick = (scenario.rate * POST_EVERY_MS) / 1000;
    let carry = 0;
    const started = performance.now();
    const measureFrom = started + WARMUP_MS;
    const measureTo = measureFrom + SECONDS * 1000;
    const inFlight = new Set<Promise<void>>();
    while (performance.now() < measureTo) {
      const now = performance.now();
      measuring = now >= measureFrom;
      carry += perTick;
      const count = Math.floor(carry);
      carry -= count;
      const events: IncomingEvent[] = [];
      // Register last tick's cases, then report new ones: about half of the events each.
      for (const incidentId of pendingRegistrations.splice(0, Math.floor(count / 2))) {
        events.push({ id: `r-${randomUUID()}`, type: 'incident.registered', at: new Date().toISOString(), incidentId });
      }
      const fresh: string[] = [];
      while (events.length < count) {
        const incidentId = `m-${randomUUID()}`;
        fresh.push(incidentId);
        events.push({
          id: `e-${randomUUID()}`,
          type: 'incident.reported',
          at: new Date().toISOString(),
          crs: 'wgs84',
          incident: { id: incidentId, location: points[(tick * 97 + events.length) % points.length] as [number, number], category: 'other', channel: 'hotline-12345' },
        });
      }
      const target = tick % nodes.length;
      tick++;
      if (events.length > 0) {
        const sentAt = performance.now();
        const countIt = measuring;
        for (const event of events) posted.set(event.id, [sentAt, target]);
        const request = fetch(`${(nodes[target] as Node).url}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ events }),
        })
          .then(async (res) => {
            const body = (await res.json()) as IngestResponse;
            if (countIt) ackSamples.push(performance.now() - sentAt);
            if (res.status !== 200) {
              failedPosts++;
              firstFailure ??= `HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}`;
              return;
            }
            for (const ack of body.acks) {
              if (ack.status !== 'stored') {
                failedPosts++;
                firstFailure ??= JSON.stringify(ack.errors);
                continue;
              }
              if (countIt) {
                ingested++;
                // Every city screen and the screens of the event's district should receive it.
                expected += screens.filter((s) => s.area === 'city' || ack.grid.startsWith(s.area)).length;
              }
            }
            pendingRegistrations.push(...fresh);
          })
          .catch((err: unknown) => {
            failedPosts++;
            firstFailure ??= String(err);
          });
        const tracked: Promise<void> = request.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      const next = started + tick * POST_EVERY_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    await Promise.all(inFlight);
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    measuring = false;
    const cpuAfter = nodes.reduce((sum, n) => sum + (cpuSecondsOf(n.child.pid ?? 0) || 0), 0);
    pendingRegistrations = [];
    const result: ScenarioResult = {
      ...scenario,
      seconds: SECONDS,
      eventsPerSecondIn: Number((ingested / SECONDS).toFixed(1)),
      deliveriesPerSecondOut: Number((deliveries / SECONDS).toFixed(1)),
      latencyMs: percentiles(samples),
      ackLatencyMs: percentiles(ackSamples),
      crossNodeLatencyMs: scenario.nodes > 1 ? percentiles(crossSamples) : null,
      sameNodeLatencyMs: percentiles(sameSamples),
      undelivered: Math.max(0, expected - deliveries),
      serverCpuSeconds: Number((cpuAfter - cpuBefore).toFixed(2)),
      rejectedOrFailedPosts: failedPosts,
    };
    console.log(
      `   in ${result.eventsPerSecondIn} ev/s, out ${result.deliveriesPerSecondOut} deliveries/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ack p50 ${result.ackLatencyMs.p50} / p99 ${result.ackLatencyMs.p99} ms` +
        (result.crossNodeLatencyMs ? `, cross-node p50 ${result.crossNodeLatencyMs.p50} / p99 ${result.crossNodeLatencyMs.p99} ms` : '') +
        `, undelivered ${result.undelivered}, server CPU ${result.serverCpuSeconds} s` +
        (failedPosts > 0 ? `\n   ${failedPosts} events refused or failed; first: ${firstFailure ?? '?'}` : ''),
    );
    return result;
  } finally {
    for (const screen of screens) screen.socket.close();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(CITY_DIR, 'city.json'))) {
    console.log('building the megacity package (npm run geodata:build -- megacity)…');
    const built = spawnSync('npm', ['run', 'geodata:build', '--', 'megacity'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run geodata:build -- megacity failed');
  }
  const city = await loadCity(CITY_DIR);
  const index = createGridIndex(city.grids);
  const points: Array<[number, number]> = [];
  const step = Math.max(1, Math.floor(city.grids.length / 5_000));
  for (let i = 0; i < city.grids.length && points.length < 5_000; i += step) {
    const bbox = (city.grids[i] as (typeof city.grids)[number]).bbox;
    const centre: [number, number] = [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2];
    if (index.locate(centre[0], centre[1]) !== null) points.push(centre);
  }
  const districts = [...new Set(city.grids.map((g) => g.code.slice(0, 6)))].sort();
  console.log(`megacity: ${city.grids.length} grids, ${districts.length} districts; peak rate ${PEAK_RATE} events/s; ${CLIENTS} screens`);

  // Node starts on the megacity are the slow part (loading 100k grids): two clusters serve all five runs. The one-node
  // runs use node-1 of the Redis cluster after its other nodes stopped, so it relays alone, as a single node would.
  const results: ScenarioResult[] = [];
  const withRedis = await startCluster(3, true);
  try {
    results.push(await runScenario({ name: 'peak, 3 nodes, Redis wake-ups', nodes: 3, redis: true, rate: PEAK_RATE }, withRedis.nodes, points, districts));
    results.push(await runScenario({ name: 'stress, 3 nodes, Redis wake-ups', nodes: 3, redis: true, rate: STRESS_RATE }, withRedis.nodes, points, districts));
    await stopNodes(withRedis.nodes.slice(1));
    const single = withRedis.nodes.slice(0, 1);
    results.push(await runScenario({ name: 'peak, 1 node', nodes: 1, redis: false, rate: PEAK_RATE }, single, points, districts));
    results.push(await runScenario({ name: 'stress, 1 node', nodes: 1, redis: false, rate: STRESS_RATE }, single, points, districts));
  } finally {
    await stopNodes(withRedis.nodes);
    await dropSchema(withRedis.schema);
  }
  const polling = await startCluster(3, false);
  try {
    results.push(await runScenario({ name: 'peak, 3 nodes, polling', nodes: 3, redis: false, rate: PEAK_RATE }, polling.nodes, points, districts));
  } finally {
    await stopNodes(polling.nodes);
    await dropSchema(polling.schema);
  }

  const wake = results.find((r) => r.name === 'peak, 3 nodes, Redis wake-ups');
  const poll = results.find((r) => r.name === 'peak, 3 nodes, polling');
  const out = {
    benchmark: 'megacity: one relay node vs three, PostgreSQL store, Redis adapter wake-ups vs polling',
    date: new Date().toISOString(),
    machine: { loadAverage1mAtEnd: Number((os.loadavg()[0] ?? 0).toFixed(2)), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)), node: process.version, platform: `${os.type()} ${os.release()}` },
    city: { id: city.meta.id, grids: city.grids.length, districts: districts.length },
    rate: { casesPerDay: CASES_PER_DAY, eventsPerCase: EVENTS_PER_CASE, peakFactor: PEAK_FACTOR, peakEventsPerSecond: PEAK_RATE, stressEventsPerSecond: STRESS_RATE },
    screens: CLIENTS,
    notes: [
      'All nodes, PostgreSQL, Redis and the screens share this machine, so three nodes compete for the same cores: the cluster figures show correctness and overhead here, not the scale-out of separate machines.',
      'Latency = POST start → arrival at a screen; it includes the 75 ms relay batch window.',
      'The one-node runs use node-1 of the Redis cluster after its two peers were stopped (adapter connected, nobody to wake).',
      'Other work on this shared machine can load it heavily (see machine.loadAverage1mAtEnd): compare runs of one file only.',
    ],
    wakeUpVersusPolling:
      wake?.crossNodeLatencyMs && poll?.crossNodeLatencyMs
        ? {
            crossNodeP50Ms: { redisWakeUp: wake.crossNodeLatencyMs.p50, polling: poll.crossNodeLatencyMs.p50 },
            crossNodeP99Ms: { redisWakeUp: wake.crossNodeLatencyMs.p99, polling: poll.crossNodeLatencyMs.p99 },
          }
        : null,
    results,
  };
  const file = path.join(ROOT, 'bench', 'results', 'megacity.json');
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, file)}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const node of started) if (node.child.exitCode === null) node.child.kill('SIGKILL');
    process.exit(130);
  });
}

main().catch((err: unknown) => {
  for (const node of started) if (node.child.exitCode === null) node.child.kill('SIGKILL');
  console.error(err);
  process.exit(1);
});
