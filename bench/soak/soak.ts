/**
 * The soak benchmark, run by hand:
 *
 *   npx tsx bench/soak/soak.ts                          # 200 screens, 500 events/s, 30 minutes → bench/results/soak.json
 *   npx tsx bench/soak/soak.ts --minutes 2              # the short variant
 *   npx tsx bench/soak/soak.ts --minutes 2 --drop-every 15 --drop-for 2   # network faults → soak-network-faults.json
 *
 * Flags: --minutes, --screens, --rate (events/s), --drop-every / --drop-for (seconds; 0 = no drops), --out (file name
 * under bench/results/), --drain-seconds (wait for screens to catch up after the last post, default 60). The run fails (exit 1) when any screen did not get every event of its area exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
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
  },
});

function positive(name: string, text: string | undefined, allowZero = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    console.error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${text}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const minutes = positive('minutes', values.minutes);
  const dropEvery = positive('drop-every', values['drop-every'], true);
  const result = await runSoak({
    screens: Math.round(positive('screens', values.screens)),
    rate: positive('rate', values.rate),
    seconds: Math.round(minutes * 60),
    dropEveryMs: dropEvery * 1000,
    dropForMs: positive('drop-for', values['drop-for']) * 1000,
    drainSeconds: positive('drain-seconds', values['drain-seconds']),
    log: (line) => console.log(`[soak] ${line}`),
  });
  const name = values.out ?? (dropEvery > 0 ? 'soak-network-faults.json' : minutes >= 30 ? 'soak.json' : `soak-${minutes}min.json`);
  const report = {
    benchmark: 'soak',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    ...result,
    goals: {
      everyScreenExactlyOnce: result.delivery.screensExact === result.delivery.screens,
      rssGrowthUnder10Percent: result.memory.rssGrowthAfterWarmup < 0.1,
      ...(result.networkFaults ? { resumeP99AtMost2s: result.networkFaults.resumeLatencyMs.p99 <= 2000 } : {}),
    },
    notes: [
      'Server = child process (server/main.ts, SQLite in a temp DATA_DIR, Kunming package); screens and the poster share this process.',
      'Delivery latency: screen receive time minus the event `at` stamped just before its POST (includes the durable commit and the batch wait).',
      'Resume latency: from the reconnect after a drop until the screen has caught up to the highest seq acknowledged at that moment.',
      'Memory: RSS / heap used / event-loop lag p99 from the server’s own /metrics; growth compares the first and last fifth of the samples after warm-up.',
    ],
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const file = path.join(ROOT, 'bench', 'results', name);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const { perScreen: _perScreen, ...delivery } = result.delivery;
  console.log(JSON.stringify({ posted: result.posted, cpuSeconds: result.cpuSeconds, delivery, networkFaults: result.networkFaults, memory: { ...result.memory, samples: result.memory.samples.length }, goals: report.goals }, null, 2));
  console.log(`[soak] written ${path.relative(ROOT, file)}`);
  if (!report.goals.everyScreenExactlyOnce) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
