/**
 * `npm run simulate`, the simulator as an integrator runs it against a server over HTTP (server/simulator/cli.ts):
 * bad options stop it with the option named and nothing sent, and a backfill lands in a real server process, at the
 * pace of the live rate unless `--per-day` says otherwise.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServerProcess, type ServerProcess } from '../../bench/soak/server-process';

const KEY = 'cli-test-ingest-key-0123456789abcdef';
let server: ServerProcess;
let dataDir: string;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run simulate` does (tsx), with INGEST_KEY unset unless `env` sets it. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { INGEST_KEY: _, ...rest } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'simulator', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...rest, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function headSeq(): Promise<number> {
  const health = (await (await fetch(`${server.url}/api/v1/health`)).json()) as { store: { headSeq: number } };
  return health.store.headSeq;
}

/** The "backfill done: N events, M incidents" figures of a run. */
function backfillDone(run: CliRun): { events: number; incidents: number } {
  const match = /backfill done: ([\d,]+) events, ([\d,]+) incidents/.exec(run.stdout);
  if (!match) throw new Error(`no "backfill done" line:\n${run.stdout}\n${run.stderr}`);
  return { events: Number(match[1]?.replaceAll(',', '')), incidents: Number(match[2]?.replaceAll(',', '')) };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-cli-'));
  server = await startServerProcess({ DATA_DIR: dataDir, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '1000000', WHISTLE_REPORT_MINUTES: 'emergency=20' });
}, 120_000);

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run simulate', () => {
  it('refuses bad options with the option named and the reason, exit code 2, and sends nothing', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--key', KEY], {}, /--url: the server base URL is required/],
      [['--url', 'not a url', '--key', KEY], {}, /--url: not a URL/],
      [['--url', server.url], {}, /--key: the ingest key is required \(or set INGEST_KEY\)/],
      [['--url', server.url, '--rate', 'fast'], { INGEST_KEY: KEY }, /--rate: must be a number of incidents per second from 0 to 10000, got "fast"/],
      [['--url', server.url, '--seed', '1.5'], { INGEST_KEY: KEY }, /--seed: must be a whole number/],
      [['--url', server.url, '--backfill', '3 weeks'], { INGEST_KEY: KEY }, /--backfill: must be a span such as 30d, 12h or 90m, got "3 weeks"/],
      [['--url', server.url, '--backfill', '400d'], { INGEST_KEY: KEY }, /--backfill: must be more than 0 and at most 366 days/],
      [['--url', server.url, '--per-day=-5'], { INGEST_KEY: KEY }, /--per-day: must be from 0 to 1000000, got "-5"/],
      [['--url', server.url, '--per-day', '-5'], { INGEST_KEY: KEY }, /Option '--per-day' argument is ambiguous/],
      [['--url', server.url, '--sped', '3'], { INGEST_KEY: KEY }, /Unknown option '--sped'/],
      [['--url', server.url, '--city', 'atlantis'], { INGEST_KEY: KEY }, /--city: .*atlantis is not a city package; the packages in .*geodata are hefei-shushan, kunming/],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => cli(args, env)));
    runs.forEach((run, i) => {
      const [args, , reason] = cases[i]!;
      expect(run.stderr, args.join(' ')).toMatch(reason);
      expect(run.code, args.join(' ')).toBe(2);
    });
    expect(await headSeq()).toBe(0);
  }, 120_000);

  it('a wrong key is refused by the server and stops the run (exit code 1), nothing stored', async () => {
    const run = await cli(['--url', server.url, '--backfill', '1h', '--no-live'], { INGEST_KEY: 'not-the-key-0123456789' });
    expect(run.stderr).toMatch(/the server refused the batch \(HTTP 403\): The ingest key is not valid/);
    expect(run.code).toBe(1);
    expect(await headSeq()).toBe(0);
  }, 60_000);

  it('backfills over HTTP with the key from INGEST_KEY, under the server’s report limits: every event it counts is in the server’s log', async () => {
    const run = await cli(['--url', server.url, '--backfill', '6h', '--rate', '0.05', '--per-day', '432', '--seed', '3', '--no-live'], { INGEST_KEY: KEY });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(KEY);
    const done = backfillDone(run);
    expect(done.incidents).toBeGreaterThan(0);
    expect(done.events).toBeGreaterThan(done.incidents);
    expect(run.stdout).toMatch(/\(0 rejected\)/);
    // its departments pace themselves by the server's report limits, read from GET /api/v1/city
    expect(run.stdout).toContain("report limits (min): emergency 20, hard 120, routine 1440 (the server's)");
    expect(await headSeq()).toBe(done.events);
  }, 120_000);

  it("without --rate the pace is the city package's by its residents (kunming 0.1045/s), and the history follows it", async () => {
    const run = await cli(['--url', server.url, '--backfill', '1m', '--seed', '6', '--no-live'], { INGEST_KEY: KEY });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('[simulate] pace: 0.1045 new incidents/s (the default for its 5,225,345 residents; --rate sets it); history 9,029 a day');
    const given = await cli(['--url', server.url, '--backfill', '1m', '--rate', '0.5', '--per-day', '100', '--seed', '6', '--no-live'], { INGEST_KEY: KEY });
    expect(given.stdout).toContain('[simulate] pace: 0.5 new incidents/s (--rate); history 100 a day (--per-day)');
  }, 120_000);

  it('without --per-day the history follows the live rate (rate × 86,400 a day): ten times the rate, about ten times the cases', async () => {
    const slow = backfillDone(await cli(['--url', server.url, '--backfill', '12h', '--rate', '0.01', '--seed', '4', '--no-live'], { INGEST_KEY: KEY }));
    const fast = backfillDone(await cli(['--url', server.url, '--backfill', '12h', '--rate', '0.1', '--seed', '5', '--no-live'], { INGEST_KEY: KEY }));
    // 0.1/s is 8,640 a day: 4,320 in 12 h on the day's mean, times the hours' intensity (0.09–1.94, 0.44 on average over
    // the quietest 12 h: about 1,900 cases against 190, so the ratio is 10 within ±2.5 at 3 sigma); a CLI that kept a
    // fixed history pace would give the same count for both rates
    expect(fast.incidents).toBeGreaterThan(100);
    expect(fast.incidents / slow.incidents).toBeGreaterThan(5);
    expect(fast.incidents / slow.incidents).toBeLessThan(20);
  }, 180_000);
});
