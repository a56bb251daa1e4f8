/**
 * Heap figures are only meaningful after a full collection: a bench that measures memory calls `gc()` before each
 * reading, and that needs `--expose-gc`. `npm run bench` (bench/run-all.ts) and a bare `npx tsx bench/x.bench.ts`
 * start without it, so a bench that needs it calls `exposedGc()` first: without the flag, the bench runs itself
 * again in a child with it (and `extraFlags`), and this process exits with the child's status.
 *
 * @example
 * ```ts
 * const gc = exposedGc(['--max-old-space-size=8192']);
 * gc();
 * const before = process.memoryUsage().heapUsed;
 * ```
 */
import { spawnSync } from 'node:child_process';

export function exposedGc(extraFlags: string[] = []): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) return gc;
  const child = spawnSync(process.execPath, ['--expose-gc', ...extraFlags, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
