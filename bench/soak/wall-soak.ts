/**
 * The wall's own memory over a long run, in the browser: a command centre leaves the wall up for days, so its JS heap,
 * DOM and the browser's processes must level off, not climb with every event it has shown.
 *
 *   npx tsx bench/soak/wall-soak.ts                      # 15 minutes → bench/results/wall-soak.json
 *   npx tsx bench/soak/wall-soak.ts --minutes 5 --out wall-soak-5min.json
 *
 * Flags: --minutes, --churn (extra short-lived cases a second, default 10), --warmup (seconds before growth is
 * measured, default a fifth of the run, at most 180), --sample-seconds (default 20), --out (under bench/results/),
 * --heap-diff (a heap snapshot at the end of the warm-up and one at the end, summed per constructor: the report's
 * `heapGrowthByKind` says which kinds of object the heap gained in between; each snapshot stalls the page a few
 * seconds), --heap-save DIR (with --heap-diff: also write the two raw snapshots there, warmup.heapsnapshot and
 * end.heapsnapshot, for bench/soak/heap-retainers.ts or DevTools; tens to hundreds of MB each).
 *
 * The feed, on a server child process (Kunming, SQLite in a temp DATA_DIR):
 * - the built-in simulator as `npm start` runs it (a day's history backfilled, then live at the demo pace), so the wall
 *   shows a city whose open cases are already at their steady level: new reports pulse, whistles are blown and
 *   answered, cases go overdue and close;
 * - plus `--churn` cases a second that run their whole lifecycle (report, register, dispatch, whistle, the summoned
 *   department's acknowledgement and arrival, start, resolve, verify, close, rate: eleven events) stamped 40 minutes
 *   in the past. Each goes through the wall's whole apply path (live state, per-grid counters, point buffers,
 *   whistle arcs and board, ticker, KPIs) and, having ended more than the wall's 30-minute retention ago
 *   (client/live/live-model.ts), leaves its live state at the next eviction (every minute). They stand for the many
 *   days' worth of events a wall is shown, of which it must keep none.
 *
 * The wall is `/?wall=1&tour=30` (kiosk, touring the districts) at 1920×1080 in Debian's Chromium (software WebGL).
 * Every sample forces a full GC in the page (CDP HeapProfiler.collectGarbage) and then reads the JS heap in use, the
 * DOM counters (nodes, listeners), the live state's size and the resident memory of Chromium's renderer and GPU
 * processes (/proc). Growth compares the first and last fifth of the samples taken after warm-up. No naive figure:
 * the goal is bounded memory.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCity } from '../../server/geodata/load';
import { launchChromium } from '../../tests/browser/helpers/browser';
import { positiveFlag } from './flags';
import { pointsIn, ROOT, startServerProcess } from './server-process';
import { chromiumRssMb, growth } from './soak-run';
import { heapGrowth, heapSummary, type HeapGroup } from './heap-summary';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '15' },
    churn: { type: 'string', default: '10' },
    warmup: { type: 'string' },
    'sample-seconds': { type: 'string', default: '20' },
    out: { type: 'string', default: 'wall-soak.json' },
    'heap-diff': { type: 'boolean', default: false },
    'heap-save': { type: 'string' },
  },
});

const seconds = Math.round(positiveFlag('minutes', values.minutes) * 60);
const churnPerSecond = positiveFlag('churn', values.churn, true);
const warmupSeconds = values.warmup !== undefined ? positiveFlag('warmup', values.warmup, true) : Math.min(180, seconds / 5);
const sampleMs = positiveFlag('sample-seconds', values['sample-seconds']) * 1000;
const heapSaveDir = values['heap-save'];
if (heapSaveDir !== undefined) {
  if (!values['heap-diff']) throw new Error('--heap-save: needs --heap-diff (it saves the snapshots that one takes)');
  fs.mkdirSync(heapSaveDir, { recursive: true });
}
/** Where a raw snapshot goes with --heap-save, else undefined. */
function snapshotPath(name: 'warmup' | 'end'): string | undefined {
  return heapSaveDir === undefined ? undefined : path.join(heapSaveDir, `${name}.heapsnapshot`);
}
/** How far in the past the churn cases are stamped: beyond the wall's 30-minute retention of ended cases. */
const CHURN_AGE_MS = 40 * 60_000;
/** report, register, dispatch, whistle, the department's acknowledgement and arrival, start, resolve, verify, close, rate */
const EVENTS_PER_CASE = 11;

interface Sample {
  atS: number;
  jsHeapUsedMb: number;
  /** every DOM node alive after the GC (CDP Memory.getDOMCounters) */
  domNodes: number;
  /** of them, those in the page's tree (the shadow roots walked too); the rest are detached nodes still referenced */
  attachedNodes: number;
  jsEventListeners: number;
  liveIncidents: number;
  rendererRssMb: number;
  gpuRssMb: number;
  eventsSeen: number;
}

const log = (line: string) => console.log(`[wall-soak] ${line}`);

async function main(): Promise<void> {
  const city = await loadCity(path.join(ROOT, 'geodata', 'kunming'));
  const points = pointsIn(city, 400);
  // a street-level department of each point's street, for the community whistle (it summons street departments)
  const streetDepartment = new Map<string, string>();
  for (const d of city.departments) if (d.level === 'street' && !streetDepartment.has(d.jurisdiction)) streetDepartment.set(d.jurisdiction, d.code);
  const targets = points.flatMap((p) => {
    const department = streetDepartment.get(p.grid.slice(0, 9));
    return department ? [{ ...p, department }] : [];
  });
  if (targets.length === 0) throw new Error('no grid of the Kunming package has a street-level department');

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-wall-soak-'));
  const key = randomBytes(16).toString('hex');
  const started = Date.now();
  const server = await startServerProcess({ DATA_DIR: dataDir, INGEST_KEY: key, BACKFILL_DAYS: '1' }, { defaults: {}, timeoutMs: 180_000 });
  await server.waitFor(/backfill done/, 300_000);
  log(`server ${server.url} backfilled in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // every events frame the page's socket receives, counted off the WebSocket (what the wall was given to apply)
  let eventsSeen = 0;
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      // Engine.IO message "4", Socket.IO event "2", the namespace: 42/live,["events",{fromSeq,toSeq,events}]
      if (typeof payload !== 'string' || !payload.startsWith('42/live,["events",')) return;
      const [, frame] = JSON.parse(payload.slice('42/live,'.length)) as [string, { events: unknown[] }];
      eventsSeen += frame.events.length;
    }),
  );
  await page.goto(`${server.url}/?wall=1&tour=30`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1', undefined, { timeout: 300_000 });
  const cdp = await page.context().newCDPSession(page);
  log('wall ready');

  let posted = 0;
  let rejected = 0;
  let serial = 0;
  const churnCase = () => {
    const target = targets[serial % targets.length]!;
    const n = serial++;
    const t0 = Date.now() - CHURN_AGE_MS;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const incidentId = `soak-${n}`;
    const whistleId = `soak-w-${n}`;
    const step = (k: number, type: string, extra: Record<string, unknown> = {}) => ({ id: `soak-${n}-${k}`, type, at: at(k), incidentId, ...extra });
    return [
      { id: `soak-${n}-0`, type: 'incident.reported', at: at(0), crs: 'wgs84', incident: { id: incidentId, location: target.location, category: 'other', channel: 'other', title: '压测事件' } },
      step(1, 'incident.registered'),
      step(2, 'incident.dispatched', { departments: [target.department] }),
      step(3, 'incident.whistled', { whistleId, tier: 'community', whistleType: 'routine', departments: [target.department] }),
      step(4, 'department.reported', { whistleId, department: target.department, stage: 'acknowledged' }),
      step(5, 'department.reported', { whistleId, department: target.department, stage: 'arrived' }),
      step(6, 'incident.started'),
      step(7, 'incident.resolved'),
      step(8, 'incident.verified', { passed: true }),
      step(9, 'incident.closed'),
      step(10, 'incident.rated', { satisfaction: 1 + (n % 5) }),
    ];
  };
  let carry = 0;
  const feed = setInterval(() => {
    carry += churnPerSecond;
    const cases = Math.floor(carry);
    carry -= cases;
    if (cases === 0) return;
    const events = Array.from({ length: cases }, churnCase).flat();
    void fetch(`${server.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) })
      .then(async (res) => {
        const body = (await res.json()) as { stored?: number; rejected?: number; errors?: unknown };
        posted += body.stored ?? 0;
        rejected += body.rejected ?? (res.ok ? 0 : events.length);
        if (!res.ok || (body.rejected ?? 0) > 0) errors.push(`ingest ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
      })
      .catch((err: unknown) => errors.push(`ingest: ${String(err)}`));
  }, 1000);

  const samples: Sample[] = [];
  const runStarted = Date.now();
  let heapAtWarmup: Map<string, HeapGroup> | undefined;
  while (Date.now() - runStarted < seconds * 1000) {
    if (values['heap-diff'] && !heapAtWarmup && Date.now() - runStarted >= warmupSeconds * 1000) {
      heapAtWarmup = await heapSummary(cdp, snapshotPath('warmup'));
      log('heap snapshot at the end of the warm-up');
    }
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    const dom = await cdp.send('Memory.getDOMCounters');
    const { liveIncidents, attachedNodes } = await page.evaluate(() => {
      // the wall's live state, read from the element (a private field: this is a measurement, not an interface)
      const wall = document.querySelector('gw-wall') as unknown as { model?: { state: { incidents: Map<string, unknown> } } } | null;
      // (a work list, not a named helper: tsx would wrap one in a __name call the page does not have)
      let nodes = 0;
      const roots: Node[] = [document];
      while (roots.length > 0) {
        const walker = document.createTreeWalker(roots.pop()!, NodeFilter.SHOW_ALL);
        for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
          nodes += 1;
          if (node instanceof Element && node.shadowRoot) roots.push(node.shadowRoot);
        }
      }
      return { liveIncidents: wall?.model?.state.incidents.size ?? -1, attachedNodes: nodes };
    });
    const sample: Sample = {
      atS: Math.round((Date.now() - runStarted) / 1000),
      jsHeapUsedMb: heap.usedSize / 2 ** 20,
      domNodes: dom.nodes,
      attachedNodes,
      jsEventListeners: dom.jsEventListeners,
      liveIncidents,
      rendererRssMb: chromiumRssMb('renderer'),
      gpuRssMb: chromiumRssMb('gpu-process'),
      eventsSeen,
    };
    samples.push(sample);
    log(`${sample.atS} s: heap ${sample.jsHeapUsedMb.toFixed(1)} MB, DOM ${sample.domNodes} nodes (${sample.attachedNodes} attached) / ${sample.jsEventListeners} listeners, live ${liveIncidents} cases, renderer ${sample.rendererRssMb.toFixed(0)} MB, GPU ${sample.gpuRssMb.toFixed(0)} MB, ${eventsSeen} events seen, ${posted} churn events stored`);
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
  }
  clearInterval(feed);
  const heapByKind = heapAtWarmup ? heapGrowth(heapAtWarmup, await heapSummary(cdp, snapshotPath('end'))) : undefined;
  await browser.close();
  server.child.kill('SIGTERM');
  await server.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });

  const after = samples.filter((s) => s.atS >= warmupSeconds);
  const report = {
    benchmark: 'wall-soak',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version, browser: browser.version(), webgl: 'SwiftShader' },
    setup: { seconds, churnPerSecond, churnEventsPerCase: EVENTS_PER_CASE, churnAgeMinutes: CHURN_AGE_MS / 60_000, warmupSeconds, sampleSeconds: sampleMs / 1000, url: '/?wall=1&tour=30', viewport: '1920×1080' },
    churnEventsStored: posted,
    churnEventsRejected: rejected,
    eventsShown: eventsSeen,
    pageErrors: errors.slice(0, 20),
    growthAfterWarmup: {
      jsHeapUsed: growth(after.map((s) => s.jsHeapUsedMb)),
      domNodes: growth(after.map((s) => s.domNodes)),
      attachedNodes: growth(after.map((s) => s.attachedNodes)),
      jsEventListeners: growth(after.map((s) => s.jsEventListeners)),
      liveIncidents: growth(after.map((s) => s.liveIncidents)),
      rendererRss: growth(after.map((s) => s.rendererRssMb)),
      gpuRss: growth(after.map((s) => s.gpuRssMb)),
    },
    ...(heapByKind ? { heapGrowthByKind: heapByKind } : {}),
    samples,
    goals: {} as Record<string, boolean>,
    notes: [
      'Server = child process (server/main.ts, Kunming, SQLite in a temp DATA_DIR) running the built-in simulator after a one-day backfill; the churn poster and the browser share the machine with it.',
      `Churn: ${churnPerSecond} cases a second, each its whole lifecycle in ${EVENTS_PER_CASE} events stamped ${CHURN_AGE_MS / 60_000} minutes in the past, so each has ended beyond the wall's 30-minute retention and leaves the live state at the next eviction: they stand for the events of a long run, which the wall must not keep.`,
      'Heap: JS heap in use after a forced full GC (CDP HeapProfiler.collectGarbage, Runtime.getHeapUsage); DOM: CDP Memory.getDOMCounters; RSS of the renderer and GPU processes from /proc (the GPU process holds SwiftShader’s buffers).',
      'Growth compares the mean of the first and the last fifth of the samples taken after warm-up.',
    ],
  };
  report.goals = {
    jsHeapGrowthUnder10Percent: report.growthAfterWarmup.jsHeapUsed < 0.1,
    domNodesGrowthUnder10Percent: report.growthAfterWarmup.domNodes < 0.1,
    noPageErrors: errors.length === 0,
    churnAllStored: rejected === 0 && posted > 0,
  };
  const file = path.resolve(ROOT, 'bench', 'results', values.out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`growth after warm-up: ${JSON.stringify(report.growthAfterWarmup)}`);
  for (const row of heapByKind?.slice(0, 15) ?? []) {
    log(`heap ${row.group}: ${row.countBefore} → ${row.countAfter} objects, ${(row.bytesBefore / 1024).toFixed(0)} → ${(row.bytesAfter / 1024).toFixed(0)} KiB`);
  }
  log(`goals: ${JSON.stringify(report.goals)}`);
  log(`written ${path.relative(ROOT, file)}`);
  if (Object.values(report.goals).some((met) => !met)) process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
