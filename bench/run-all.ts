/**
 * `npm run bench`: runs every benchmark one after another (never in parallel: they measure time on a two-core
 * machine), regenerates bench/results/*.json, then re-renders BENCHMARKS.md.
 *
 *   npm run bench                        # every bench/*.bench.ts, the 2-minute soaks (plain and with network
 *                                        # faults), the kill -9 loop and the 15-minute wall soak in Chromium
 *   npm run bench -- --long              # the same plus the 30-minute soak (with network faults) → soak.json
 *   npm run bench -- grid-index soak     # a subset, by name prefix (`npm run bench -- --list` names them all)
 *
 * After a full run it names any results file that no benchmark rewrote, so a stale figure cannot hide in
 * BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Bench {
  name: string;
  /** script under bench/, and its arguments */
  script: string;
  args: string[];
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(benchDir, 'results');
const argv = process.argv.slice(2);
const long = argv.includes('--long');
const list = argv.includes('--list');
const unknownFlag = argv.find((a) => a.startsWith('--') && a !== '--long' && a !== '--list');
if (unknownFlag) {
  console.error(`unknown flag ${unknownFlag}: the flags are --long (add the 30-minute soak) and --list`);
  process.exit(2);
}
const only = argv.filter((a) => !a.startsWith('--'));

const soak = (minutes: number, faults: boolean, out: string): string[] => ['--minutes', String(minutes), ...(faults ? ['--drop-every', '15', '--drop-for', '2'] : []), '--out', out];
const all: Bench[] = [
  ...readdirSync(benchDir)
    .filter((file) => file.endsWith('.bench.ts'))
    .sort()
    .map((file) => ({ name: file.replace(/\.bench\.ts$/, ''), script: file, args: [] })),
  // the relay at the other end of its interval's trade-off: fewer frames for more latency (server/config.ts RELAY_BATCH_MS)
  { name: 'relay-latency-75ms', script: 'relay-latency.bench.ts', args: ['--batch-ms', '75', '--out', 'relay-latency-75ms.json'] },
  // issue 8: the soak family (200 screens, 500 events/s; bench/soak/soak.ts), then process faults
  { name: 'soak-2min', script: 'soak/soak.ts', args: soak(2, false, 'soak-2min.json') },
  { name: 'soak-network-faults', script: 'soak/soak.ts', args: soak(2, true, 'soak-network-faults.json') },
  // 5 minutes of warm-up: at 500 events/s the live state's capped set of ended cases (RETAIN_ENDED_MAX, 50,000) fills
  // in about 200 s; growth is measured after that.
  ...(long ? [{ name: 'soak-30min', script: 'soak/soak.ts', args: [...soak(30, true, 'soak.json'), '--warmup', '300'] }] : []),
  { name: 'soak-kill-loop', script: 'soak/kill-loop.ts', args: [] },
  // the wall's own memory in the browser over 15 minutes (bench/soak/wall-soak.ts)
  { name: 'wall-soak', script: 'soak/wall-soak.ts', args: [] },
];

if (list) {
  for (const bench of all) console.log(`${bench.name.padEnd(22)} bench/${bench.script} ${bench.args.join(' ')}`);
  if (!long) console.log(`${'soak-30min'.padEnd(22)} (with --long) bench/soak/soak.ts ${[...soak(30, true, 'soak.json'), '--warmup', '300'].join(' ')}`);
  process.exit(0);
}

const benches = all.filter((b) => only.length === 0 || only.some((name) => b.name.startsWith(name)));
if (benches.length === 0) {
  console.error(`no benchmark matches ${only.join(', ')}; available: ${all.map((b) => b.name).join(', ')}${long ? '' : ' (and soak-30min with --long)'}`);
  process.exit(2);
}

const runStarted = Date.now();
const failed: string[] = [];
for (const bench of benches) {
  console.log(`\n== ${bench.name}: bench/${bench.script} ${bench.args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, bench.script), ...bench.args], { stdio: 'inherit' });
  console.log(`== ${bench.name}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (result.status !== 0) failed.push(bench.name);
}
// Re-render BENCHMARKS.md from whatever results now stand, even after a failure (its section keeps the last good run).
spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, 'report.ts')], { stdio: 'inherit' });

if (only.length === 0) {
  const stale = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .filter((f) => statSync(path.join(resultsDir, f)).mtimeMs < runStarted)
    .filter((f) => long || f !== 'soak.json');
  // frames.bench.ts --gpu needs a GPU this project's machines lack: its figures stand from the run that made them
  const gpuOnly = stale.filter((f) => /-gpu\.json$/.test(f));
  const others = stale.filter((f) => !gpuOnly.includes(f));
  if (gpuOnly.length > 0) console.log(`\nkept from a GPU machine's run (bench/frames.bench.ts --gpu): ${gpuOnly.join(', ')}`);
  if (others.length > 0) console.warn(`\nnot rewritten by this run (stale, or written by no benchmark): ${others.join(', ')}`);
}
if (failed.length > 0) {
  console.error(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nall ${benches.length} benchmarks done; figures in bench/results/`);
