/**
 * The Gridwatch server as a child process (`server/main.ts` through tsx), and the helpers every bench and test that
 * drives one needs: points inside the city's grids to post at, and the whole log read back through the history API.
 * The soak, the kill loop, the disk-fault, kill -9, start-up and cluster tests all spawn through here, so the server's
 * memory and CPU are its own, and it can be killed with SIGKILL and restarted on the same DATA_DIR.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ DATA_DIR: dir, INGEST_KEY: key });
 * // ... post to server.url at kunmingPoints() ...
 * server.child.kill('SIGKILL');
 * await server.exited;
 * const log = await readLog((await startServerProcess({ DATA_DIR: dir, INGEST_KEY: key })).url);
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StoredEvent } from '../../protocol/events';
import { createGridIndex } from '../../server/geodata/grid-index';
import { loadCity } from '../../server/geodata/load';
import type { CityGeodata } from '../../server/geodata/types';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Servers still running; killed when this process exits, so an interrupted bench or test leaves no orphan. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once the output matches `pattern`; rejects after `timeoutMs` or when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** User and system CPU seconds of a process, all its threads, so far (from /proc, Linux); NaN elsewhere. */
export function cpuOf(pid: number): { user: number; system: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (here offset by the two fields before ')'), in
    // clock ticks: 100 per second on Linux.
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** utime + stime of a process in seconds; NaN off Linux. */
export function cpuSecondsOf(pid: number): number {
  const { user, system } = cpuOf(pid);
  return user + system;
}

export interface StartOptions {
  /** how long to wait for `serving on <url>` (default 90 s) */
  timeoutMs?: number;
  /**
   * Environment under `env` and over the parent's (default `{ SIMULATE: '0' }`: no built-in simulator, so the
   * store holds only what the caller posts). Pass `{}` to run the server as `npm start` does.
   */
  defaults?: Record<string, string>;
  /** Node flags before the server's (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

/**
 * Spawns the server (PORT=0, LOG_LEVEL=warn unless `env` says otherwise) and resolves once it prints
 * `serving on <url>`; rejects with its output if it exits first or does not start within the timeout.
 */
export function startServerProcess(env: Record<string, string>, options: StartOptions | number = {}): Promise<ServerProcess> {
  const { timeoutMs = 90_000, defaults = { SIMULATE: '0' }, nodeArgs = [] } = typeof options === 'number' ? { timeoutMs: options } : options;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...defaults, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const waitFor = (pattern: RegExp, ms = 30_000) =>
    new Promise<void>((done, fail) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (pattern.test(output)) {
          clearInterval(poll);
          done();
        } else if (Date.now() - started > ms || child.exitCode !== null || child.signalCode !== null) {
          clearInterval(poll);
          fail(new Error(`output never matched ${pattern}:\n${output}`));
        }
      }, 50);
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let started = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match?.[1] && !started) {
        started = true;
        clearTimeout(timer);
        resolve({ url: match[1], child, output: () => output, exited, waitFor });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
}

/** A point inside a grid of a city package (the bbox centre of a grid that the index places in a grid), and that grid. */
export interface GridPoint {
  location: [number, number];
  grid: string;
}

/** Up to `limit` points inside a loaded city's grids, in grid order: each grid's bbox centre, where it is inside. */
export function pointsIn(city: CityGeodata, limit = Number.POSITIVE_INFINITY): GridPoint[] {
  const index = createGridIndex(city.grids);
  const points: GridPoint[] = [];
  for (const grid of city.grids) {
    if (points.length >= limit) break;
    const centre: [number, number] = [(grid.bbox[0] + grid.bbox[2]) / 2, (grid.bbox[1] + grid.bbox[3]) / 2];
    const found = index.locate(centre[0], centre[1]);
    if (found !== null) points.push({ location: centre, grid: found });
  }
  return points;
}

/** Up to `limit` [lon, lat] points inside Kunming grids (the package the child servers serve). */
export async function kunmingPoints(limit = Number.POSITIVE_INFINITY): Promise<Array<[number, number]>> {
  return pointsIn(await loadCity(path.join(ROOT, 'geodata', 'kunming')), limit).map((p) => p.location);
}

/** The whole log of a running server, paged through the history API. */
export async function readLog(url: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let afterSeq: number | null = 0;
  while (afterSeq !== null) {
    const res = await fetch(`${url}/api/v1/history?from=0&to=${Date.now() + 3_600_000}&afterSeq=${afterSeq}&limit=50000`);
    if (res.status !== 200) throw new Error(`GET /api/v1/history after seq ${afterSeq} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { events: StoredEvent[]; nextAfterSeq: number | null };
    events.push(...page.events);
    afterSeq = page.nextAfterSeq;
  }
  return events;
}
