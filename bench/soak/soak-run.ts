/**
 * The soak: a server child process on the Kunming package, N real socket.io screens (half on the whole city, half
 * one district each), and a poster ingesting at a fixed rate over HTTP (new incidents, and cancellations of earlier
 * ones so that the open set stays bounded as it does in a real city). Optionally every screen drops off the network
 * for `dropForMs` every `dropEveryMs` (each with its own phase) and resumes from its last seq.
 *
 * It samples the server's RSS, heap and event-loop lag from its own `/metrics`, and at the end checks every screen
 * against the acknowledged log: each event of its area received exactly once, nothing else.
 *
 * @example
 * ```ts
 * const result = await runSoak({ screens: 200, rate: 500, seconds: 1800 });
 * console.log(result.delivery.screensExact, result.memory.rssGrowthAfterWarmup);
 * ```
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IngestResponse } from '../../protocol/events';
import { loadCity } from '../../server/geodata/load';
import { LatencyHistogram } from './latency-histogram';
import { ScreenProbe, type ScreenTally } from './screen-probe';
import { cpuSecondsOf, pointsIn, ROOT, startServerProcess } from './server-process';

export interface SoakOptions {
  screens: number;
  /** events per second (new incidents and cancellations) */
  rate: number;
  seconds: number;
  /** samples before this are warm-up and excluded from the growth figure (default: a fifth of the run, ≤ 120 s) */
  warmupSeconds?: number;
  sampleEveryMs?: number;
  /** 0 = no network faults */
  dropEveryMs?: number;
  dropForMs?: number;
  /** city package folder name (default kunming) */
  city?: string;
  /** how long to wait after the last post for every screen to reach the final head (default 60 s) */
  drainSeconds?: number;
  /** progress lines */
  log?: (line: string) => void;
}

export interface MemorySample {
  t: number;
  rssMb: number;
  /** anonymous resident memory (/proc/<pid>/status RssAnon): the JS heap, malloc, socket buffers — the leak indicator */
  rssAnonMb: number;
  /** file-backed resident pages (RssFile): code, and SQLite's memory-mapped db file (shared, reclaimable) */
  rssFileMb: number;
  /** of RssFile, the pages of files under DATA_DIR (the mmap of the SQLite db, /proc/<pid>/smaps) */
  dataDirMappedMb: number;
  heapUsedMb: number;
  /** memory of C++ objects bound to JS objects, ArrayBuffers included (process.memoryUsage().external) */
  externalMb: number;
  eventLoopLagP99Ms: number;
  screens: number;
}

export interface ScreenResult extends ScreenTally {
  expected: number;
  missing: number;
  /** received seqs that were not acknowledged events of its area */
  unexpected: number;
}

export interface SoakResult {
  setup: Required<Omit<SoakOptions, 'log'>>;
  /** `incidents`: new incidents among the events (the rest cancel earlier ones) */
  posted: { events: number; incidents: number; acknowledged: number; failedPosts: number; eventsPerSecond: number };
  delivery: {
    screens: number;
    screensExact: number;
    expectedDeliveries: number;
    delivered: number;
    missing: number;
    duplicates: number;
    unexpected: number;
    chainBreaks: number;
    extraSnapshots: number;
    refusedSubscribes: number;
    /** every screen drained to the final head before the check */
    drained: boolean;
    latencyMs: ReturnType<LatencyHistogram['summary']>;
    perScreen: ScreenResult[];
  };
  networkFaults: { reconnects: number; resumeLatencyMs: ReturnType<LatencyHistogram['summary']> } | null;
  memory: {
    samples: MemorySample[];
    /** (mean of the last 20% of samples) / (mean of the first 20% after warm-up) − 1 */
    rssGrowthAfterWarmup: number;
    /** the same for anonymous RSS (RssAnon): what a leak would grow */
    rssAnonGrowthAfterWarmup: number;
    /** the same for file-backed RSS (RssFile): grows as SQLite's mmap touches more of the db file */
    rssFileGrowthAfterWarmup: number;
    heapGrowthAfterWarmup: number;
    externalGrowthAfterWarmup: number;
    eventLoopLagP99MaxMs: number;
  };
  /** exit code; the tail of the server's output (warnings and errors at LOG_LEVEL=warn) */
  server: { exitCode: number | null; outputTail: string };
  /** CPU seconds over the whole run: the server process, and this process (screens + poster) */
  cpuSeconds: { server: number; harness: number };
}

const KEY = 'soak-ingest-key-0123456789abcdef';
const POST_EVERY_MS = 50;
/** a reported incident is cancelled this long after, so the open set stays about rate × this / 2 */
const CANCEL_AFTER_MS = 5_000;

/** Runs one soak and returns its figures; throws only when the server cannot start. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const setup = {
    screens: options.screens,
    rate: options.rate,
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds ?? Math.min(120, Math.round(options.seconds / 5)),
    sampleEveryMs: options.sampleEveryMs ?? 5_000,
    dropEveryMs: options.dropEveryMs ?? 0,
    dropForMs: options.dropForMs ?? 2_000,
    city: options.city ?? 'kunming',
    drainSeconds: options.drainSeconds ?? 60,
  };
  const city = await loadCity(path.join(ROOT, 'geodata', setup.city));
  const points = pointsIn(city);
  const districts = [...city.areas.values()].filter((a) => a.level === 'district').map((a) => a.code);
  const areas = Array.from({ length: setup.screens }, (_, i) => (i % 2 === 0 ? 'city' : (districts[(i >> 1) % districts.length] as string)));

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-soak-'));
  const server = await startServerProcess({
    DATA_DIR: dataDir,
    CITY: setup.city,
    INGEST_KEY: KEY,
    INGEST_RATE_LIMIT: '1000000',
    RELAY_MAX_BUFFERED: '100000',
  });
  log(`server up at ${server.url}; connecting ${setup.screens} screens`);

  /** grid of each acknowledged seq (index = seq) */
  const ackedGrid: string[] = [];
  let maxAcked = 0;
  const latency = new LatencyHistogram();
  const resumeLatency = new LatencyHistogram();
  const harnessCpuStart = (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const expectedEvents = Math.ceil(setup.rate * (setup.seconds + 30) * 1.2);
  const probes: ScreenProbe[] = [];
  try {
    for (const area of areas) {
      const probe = new ScreenProbe(server.url, area, latency, resumeLatency, () => maxAcked, expectedEvents);
      probes.push(probe);
      await probe.subscribed();
    }
    log('screens subscribed; posting');

    const samples: MemorySample[] = [];
    const started = Date.now();
    const sample = async () => {
      try {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const status = procStatus(server.child.pid as number);
        samples.push({
          t: Math.round((Date.now() - started) / 1000),
          rssMb: round(Number.isFinite(status.VmRSS) ? (status.VmRSS as number) / 1024 : metric(text, 'gridwatch_process_resident_memory_bytes') / 2 ** 20),
          rssAnonMb: round((status.RssAnon ?? Number.NaN) / 1024),
          rssFileMb: round((status.RssFile ?? Number.NaN) / 1024),
          dataDirMappedMb: round(mappedKb(server.child.pid as number, dataDir) / 1024),
          heapUsedMb: round(metric(text, 'gridwatch_nodejs_heap_size_used_bytes') / 2 ** 20),
          externalMb: round(metric(text, 'gridwatch_nodejs_external_memory_bytes') / 2 ** 20),
          eventLoopLagP99Ms: round(metric(text, 'gridwatch_nodejs_eventloop_lag_p99_seconds') * 1000),
          screens: metric(text, 'gridwatch_connected_screens'),
        });
      } catch (err) {
        log(`metrics sample failed: ${String(err)}`);
      }
    };
    const sampler = setInterval(() => void sample(), setup.sampleEveryMs);
    const drops: NodeJS.Timeout[] = [];
    if (setup.dropEveryMs > 0) {
      probes.forEach((probe, i) => {
        const phase = Math.round(((i + 0.5) / probes.length) * setup.dropEveryMs);
        const first = setTimeout(() => {
          void probe.drop(setup.dropForMs);
          drops.push(setInterval(() => void probe.drop(setup.dropForMs), setup.dropEveryMs));
        }, phase);
        drops.push(first);
      });
    }

    const perPost = Math.max(1, Math.round((setup.rate * POST_EVERY_MS) / 1000));
    const toCancel: Array<{ id: string; at: number }> = [];
    let posted = 0;
    let incidents = 0;
    let failedPosts = 0;
    let cursor = 0;
    const post = async () => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const events = Array.from({ length: perPost }, () => {
        const due = toCancel[0];
        if (due && now - due.at >= CANCEL_AFTER_MS && cursor % 2 === 1) {
          toCancel.shift();
          cursor++;
          return { id: `sc-${randomUUID()}`, type: 'incident.cancelled', at, incidentId: due.id, reason: 'soak: duplicate report' };
        }
        const point = points[cursor++ % points.length] as (typeof points)[number];
        const incidentId = `si-${randomUUID()}`;
        incidents++;
        toCancel.push({ id: incidentId, at: now });
        return { id: `sr-${randomUUID()}`, type: 'incident.reported', at, incident: { id: incidentId, location: point.location, category: 'other', channel: 'other' } };
      });
      posted += events.length;
      try {
        const res = await fetch(`${server.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ events }) });
        const body = (await res.json()) as IngestResponse;
        for (const ack of body.acks ?? []) {
          if (ack.status !== 'stored') continue;
          ackedGrid[ack.seq] = ack.grid;
          if (ack.seq > maxAcked) maxAcked = ack.seq;
        }
        if (body.stored !== events.length) failedPosts++;
      } catch {
        failedPosts++;
      }
    };
    // A fixed schedule, so a slow server shows as latency rather than a lower rate.
    const inFlight = new Set<Promise<void>>();
    const end = started + setup.seconds * 1000;
    let lastLog = started;
    let seenOutput = server.output().length;
    for (let tick = 1; Date.now() < end; tick++) {
      const p = post();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (Date.now() - lastLog >= 30_000) {
        lastLog = Date.now();
        const last = samples[samples.length - 1];
        const output = server.output();
        if (output.length > seenOutput) log(`server said: ${output.slice(seenOutput).slice(0, 600).trim()}`);
        seenOutput = output.length;
        const positions = probes.map((p) => p.position).sort((a, b) => a - b);
        log(`${Math.round((lastLog - started) / 1000)} s: ${maxAcked} acknowledged, screens at ${positions[0]}…${positions[positions.length - 1]}, rss ${last?.rssMb ?? '?'} MB (anon ${last?.rssAnonMb ?? '?'}, file ${last?.rssFileMb ?? '?'}, db mapped ${last?.dataDirMappedMb ?? '?'}), heap ${last?.heapUsedMb ?? '?'} MB, lag p99 ${last?.eventLoopLagP99Ms ?? '?'} ms`);
      }
      await sleep(Math.max(0, started + tick * POST_EVERY_MS - Date.now()));
    }
    await Promise.all(inFlight);
    for (const timer of drops) clearTimeout(timer);
    clearInterval(sampler);
    await sample();
    const wall = (Date.now() - started) / 1000;

    // Drain: a screen that dropped comes back and resumes, then every screen reaches the final head.
    const drainUntil = Date.now() + setup.drainSeconds * 1000;
    while (Date.now() < drainUntil && probes.some((p) => p.position < maxAcked)) await sleep(100);
    const drained = probes.every((p) => p.position >= maxAcked);

    const perScreen = probes.map((probe) => checkScreen(probe, ackedGrid, maxAcked));
    const sum = (f: (s: ScreenResult) => number) => perScreen.reduce((a, s) => a + f(s), 0);
    const exact = (s: ScreenResult) => s.missing === 0 && s.duplicates === 0 && s.unexpected === 0 && s.chainBreaks === 0 && s.extraSnapshots === 0;
    const afterWarmup = samples.filter((s) => s.t >= setup.warmupSeconds);
    const result: SoakResult = {
      setup,
      posted: { events: posted, incidents, acknowledged: ackedGrid.filter(Boolean).length, failedPosts, eventsPerSecond: Math.round(posted / wall) },
      delivery: {
        screens: probes.length,
        screensExact: perScreen.filter(exact).length,
        expectedDeliveries: sum((s) => s.expected),
        delivered: sum((s) => s.received),
        missing: sum((s) => s.missing),
        duplicates: sum((s) => s.duplicates),
        unexpected: sum((s) => s.unexpected),
        chainBreaks: sum((s) => s.chainBreaks),
        extraSnapshots: sum((s) => s.extraSnapshots),
        refusedSubscribes: sum((s) => s.refusedSubscribes),
        drained,
        latencyMs: latency.summary(),
        perScreen,
      },
      networkFaults: setup.dropEveryMs > 0 ? { reconnects: sum((s) => s.reconnects), resumeLatencyMs: resumeLatency.summary() } : null,
      memory: {
        samples,
        rssGrowthAfterWarmup: growth(afterWarmup.map((s) => s.rssMb)),
        rssAnonGrowthAfterWarmup: growth(afterWarmup.map((s) => s.rssAnonMb)),
        rssFileGrowthAfterWarmup: growth(afterWarmup.map((s) => s.rssFileMb)),
        heapGrowthAfterWarmup: growth(afterWarmup.map((s) => s.heapUsedMb)),
        externalGrowthAfterWarmup: growth(afterWarmup.map((s) => s.externalMb)),
        eventLoopLagP99MaxMs: Math.max(0, ...samples.map((s) => s.eventLoopLagP99Ms)),
      },
      server: { exitCode: null, outputTail: '' },
      cpuSeconds: { server: round(cpuSecondsOf(server.child.pid as number)), harness: round((process.cpuUsage().user + process.cpuUsage().system) / 1e6 - harnessCpuStart) },
    };
    for (const probe of probes) probe.close();
    server.child.kill('SIGTERM');
    result.server.exitCode = await server.exited;
    result.server.outputTail = server.output().slice(-4_000);
    return result;
  } finally {
    for (const probe of probes) probe.close();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Compares what a screen received with the acknowledged events of its area. */
function checkScreen(probe: ScreenProbe, ackedGrid: string[], maxAcked: number): ScreenResult {
  let expected = 0;
  let missing = 0;
  let matched = 0;
  for (let seq = 1; seq <= maxAcked; seq++) {
    const grid = ackedGrid[seq];
    if (grid === undefined || !(probe.area === 'city' || grid.startsWith(probe.area))) continue;
    expected++;
    if (probe.has(seq)) matched++;
    else missing++;
  }
  return { ...probe.tally, expected, missing, unexpected: probe.tally.received - matched };
}

/** One unlabelled sample's value from Prometheus text; NaN when absent. */
export function metric(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return match?.[1] !== undefined ? Number(match[1]) : Number.NaN;
}

/** Relative growth from the first fifth of the samples to the last fifth (0 with fewer than 2 samples). */
export function growth(values: number[]): number {
  if (values.length < 2) return 0;
  const window = Math.max(1, Math.floor(values.length / 5));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(values.slice(0, window));
  const last = mean(values.slice(-window));
  return Math.round(((last - first) / first) * 1000) / 1000;
}

/** The kB fields of /proc/<pid>/status (VmRSS, RssAnon, RssFile, RssShmem, …); empty off Linux. */
export function procStatus(pid: number): Record<string, number> {
  try {
    return parseKbFields(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return {};
  }
}

/** `Name:   123 kB` lines → { Name: 123 }. */
export function parseKbFields(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) fields[match[1] as string] = Number(match[2]);
  return fields;
}

/** Resident kB of the mappings of files under `dir` (from /proc/<pid>/smaps); NaN off Linux. */
function mappedKb(pid: number, dir: string): number {
  try {
    return residentKbUnder(fs.readFileSync(`/proc/${pid}/smaps`, 'utf8'), dir);
  } catch {
    return Number.NaN;
  }
}

/** Sums the `Rss:` of every smaps mapping whose path starts with `dir`. */
export function residentKbUnder(smaps: string, dir: string): number {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  let total = 0;
  let inside = false;
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) inside = (header[1] ?? '').startsWith(prefix);
    else if (inside && line.startsWith('Rss:')) total += Number(/(\d+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}

const round = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS (MB) of Chromium's processes of one `--type=` (renderer, gpu-process), summed, from /proc. */
export function chromiumRssMb(type: string): number {
  let kb = 0;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('chromium') || !cmdline.includes(`--type=${type}`)) continue;
      kb += procStatus(Number(pid)).VmRSS ?? 0;
    } catch {
      // the process ended between listing and reading
    }
  }
  return kb / 1024;
}
