/**
 * The soak benchmark, run by hand:
 *
 *   npx tsx bench/soak/soak.ts                          # 200 screens, 500 events/s, 30 minutes → bench/results/soak.json
 *   npx tsx bench/soak/soak.ts --minutes 2              # the short variant
 *   npx tsx bench/soak/soak.ts --minutes 2 --drop-every 15 --drop-for 2   # network faults → soak-network-faults-2min.json
 *   npx tsx bench/soak/soak.ts --drop-every 15          # 30 minutes with network faults → soak-network-faults.json
 *
 * Flags: --minutes, --screens, --rate (events/s), --drop-every / --drop-for (seconds; 0 = no drops), --out (file name
 * under bench/results/, or an absolute path), --warmup (seconds before memory growth is measured; default a fifth of the
 * run, at most 120), --drain-seconds (wait for screens to catch up after the last post, default 60). The run fails (exit 1) when any screen did not get every event of its area exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { positiveFlag } from './flags';
import { DEFAULT_RETAIN_CLOSED_MS } from '../../protocol/state';
import { runSoak } from './soak-run';
import { ROOT } from './server-process';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    screens: { type: 'string', default: '200' },
    rate: { type: 'string', default: '500' },
    'drop-every': { type: 'string', default: '0' },
    'drop-for': { type: 'string', default: '2' },
    out: { type: 'string' },
    'drain-seconds': { type: 'string', default: '60' },
    warmup: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const minutes = positiveFlag('minutes', values.minutes);
  const dropEvery = positiveFlag('drop-every', values['drop-every'], true);
  const result = await runSoak({
    screens: Math.round(positiveFlag('screens', values.screens)),
    rate: positiveFlag('rate', values.rate),
    seconds: Math.round(minutes * 60),
    dropEveryMs: dropEvery * 1000,
    dropForMs: positiveFlag('drop-for', values['drop-for']) * 1000,
    drainSeconds: positiveFlag('drain-seconds', values['drain-seconds']),
    ...(values.warmup !== undefined ? { warmupSeconds: positiveFlag('warmup', values.warmup, true) } : {}),
    log: (line) => console.log(`[soak] ${line}`),
  });
  const name = values.out ?? defaultName(minutes, dropEvery);
  const report = {
    benchmark: 'soak',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    ...result,
    goals: {
      everyScreenExactlyOnce: result.delivery.screensExact === result.delivery.screens,
      // Anonymous RSS is the leak indicator: total RSS also counts SQLite's mmap of the db file (file-backed pages
      // that grow with the file and that the kernel reclaims), see the notes.
      anonymousRssGrowthUnder10Percent: result.memory.rssAnonGrowthAfterWarmup < 0.1,
      ...(result.networkFaults ? { resumeP99AtMost2s: result.networkFaults.resumeLatencyMs.p99 <= 2000 } : {}),
    },
    notes: [
      'Server = child process (server/main.ts, SQLite in a temp DATA_DIR, Kunming package); screens and the poster share this process.',
      'Delivery latency: screen receive time minus the event `at` stamped just before its POST (includes the durable commit and the batch wait).',
      'Resume latency: from the reconnect after a drop until the screen has caught up to the highest seq acknowledged at that moment.',
      'Memory: RSS, RssAnon and RssFile from /proc/<pid>/status of the server process, the resident pages of files under DATA_DIR from /proc/<pid>/smaps, heap used / external / event-loop lag p99 from the server’s own /metrics; growth compares the first and last fifth of the samples after warm-up.',
      'Anonymous RSS (RssAnon) is the leak indicator. Total RSS also counts file-backed pages: SQLite maps the db file (PRAGMA mmap_size = 256 MiB), so RSS rises as the growing file is touched, up to that cap. Those pages are shared with the page cache and reclaimable, not a leak; `dataDirMappedMb` in the samples is exactly that part.',
      `Heap: the run reported ${result.posted.incidents} incidents (cancelling each about 5 s later); the live state keeps closed and cancelled incidents for ${DEFAULT_RETAIN_CLOSED_MS / 3_600_000} h after they end (protocol/state.ts DEFAULT_RETAIN_CLOSED_MS), so the heap grows with every incident of the run by design (retention, not a leak), until a day's worth is reached.`,
      `Machine shared with other work during the run: load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min) at the end, on ${os.cpus().length} cores; the harness (screens + poster) shares those cores with the server, so latency figures include that contention.`,
    ],
  };
  const file = path.resolve(ROOT, 'bench', 'results', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const { perScreen: _perScreen, ...delivery } = result.delivery;
  console.log(JSON.stringify({ posted: result.posted, cpuSeconds: result.cpuSeconds, delivery, networkFaults: result.networkFaults, memory: { ...result.memory, samples: result.memory.samples.length }, goals: report.goals }, null, 2));
  console.log(`[soak] written ${path.relative(ROOT, file)}`);
  if (!report.goals.everyScreenExactlyOnce) process.exit(1);
}

/** soak[-network-faults][-<n>min].json: the 30-minute run has no suffix. */
function defaultName(minutes: number, dropEvery: number): string {
  return `soak${dropEvery > 0 ? '-network-faults' : ''}${minutes >= 30 ? '' : `-${minutes}min`}.json`;
}

// Ctrl-C or a kill: exit through process.exit so the server child is killed too (see server-process.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
