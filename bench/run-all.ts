/**
 * `npm run bench`: runs every benchmark in bench/ one after another (never in parallel: they measure time on a
 * two-core machine) and regenerates bench/results/*.json. `npm run bench -- grid-index store` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

if (benches.length === 0) {
  console.error(`no benchmark matches ${only.join(', ')}; available: ${readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(2);
}

const failed: string[] = [];
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, bench)], { stdio: 'inherit' });
  console.log(`== ${bench}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (result.status !== 0) failed.push(bench);
}
// Re-render BENCHMARKS.md from whatever results now stand, even after a failure (its section keeps the last good run).
spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, 'report.ts')], { stdio: 'inherit' });
if (failed.length > 0) {
  console.error(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nall ${benches.length} benchmarks done; figures in bench/results/`);
