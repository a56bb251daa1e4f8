/**
 * Process faults, repeated: the server runs as a child process on one DATA_DIR while a poster ingests at a fixed
 * rate; after each burst the process is killed with SIGKILL (requests in flight), restarted on the same DATA_DIR,
 * and every event acknowledged so far must be in the log with the seq and grid it was acknowledged with, the log
 * gap-free, and the restarted server serving (it takes the next burst).
 *
 * @example
 * ```ts
 * const result = await runKillLoop({ kills: 10, rate: 1000, burstMs: 3000 });
 * // result.lost === 0
 * ```
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IngestResponse } from '../../protocol/events';
import { kunmingPoints, readLog, startServerProcess, type ServerProcess } from './server-process';

export interface KillLoopOptions {
  kills: number;
  /** events per second during each burst */
  rate: number;
  /** how long each burst posts before the kill */
  burstMs: number;
  log?: (line: string) => void;
}

export interface KillRound {
  round: number;
  /** acknowledged in this burst */
  acknowledged: number;
  /** POSTs in flight at the moment of the kill */
  inFlightAtKill: number;
  /** spawn → `serving on` after the kill, ms */
  restartMs: number;
  /** acknowledged (cumulative) events absent or changed after the restart */
  lost: number;
  logGapFree: boolean;
  healthHeadMatches: boolean;
}

export interface KillLoopResult {
  setup: Omit<KillLoopOptions, 'log'>;
  rounds: KillRound[];
  acknowledged: number;
  lost: number;
  storedAtEnd: number;
  /** the last restarted server shut down cleanly on SIGTERM */
  cleanExit: boolean;
}

const KEY = 'kill-loop-ingest-key-0123456789';
const POST_EVERY_MS = 50;

/** Runs the loop; throws when a restart fails. */
export async function runKillLoop(options: KillLoopOptions): Promise<KillLoopResult> {
  const log = options.log ?? (() => undefined);
  const points = await kunmingPoints();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-kill-loop-'));
  const env = { DATA_DIR: dataDir, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '1000000' };
  const acked = new Map<string, { seq: number; grid: string }>();
  const rounds: KillRound[] = [];
  let server: ServerProcess = await startServerProcess(env);
  let cursor = 0;
  try {
    for (let round = 1; round <= options.kills; round++) {
      const before = acked.size;
      const perPost = Math.max(1, Math.round((options.rate * POST_EVERY_MS) / 1000));
      const inFlight = new Set<Promise<void>>();
      const target = server;
      const post = async () => {
        const at = new Date().toISOString();
        const events = Array.from({ length: perPost }, () => ({
          id: `kl-${randomUUID()}`,
          type: 'incident.reported',
          at,
          incident: { id: `kli-${randomUUID()}`, location: points[cursor++ % points.length], category: 'other', channel: 'other' },
        }));
        try {
          const res = await fetch(`${target.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ events }) });
          const body = (await res.json()) as IngestResponse;
          for (const ack of body.acks) if (ack.status === 'stored') acked.set(ack.id, { seq: ack.seq, grid: ack.grid });
        } catch {
          // killed mid-request: never acknowledged, so it may or may not be stored
        }
      };
      const started = Date.now();
      for (let tick = 1; Date.now() - started < options.burstMs; tick++) {
        const p = post();
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        await sleep(Math.max(0, started + tick * POST_EVERY_MS - Date.now()));
      }
      // Kill mid-request: one more batch is on its way (sent, maybe being committed) when SIGKILL lands.
      const last = post();
      inFlight.add(last);
      void last.finally(() => inFlight.delete(last));
      await sleep(1 + (round % 5) * 3);
      const inFlightAtKill = inFlight.size;
      server.child.kill('SIGKILL');
      await Promise.all(inFlight);
      await server.exited;

      const restartStarted = Date.now();
      server = await startServerProcess(env);
      const restartMs = Date.now() - restartStarted;
      const stored = await readLog(server.url);
      const byId = new Map(stored.map((e) => [e.id, e]));
      const lost = [...acked].filter(([id, ack]) => byId.get(id)?.seq !== ack.seq || byId.get(id)?.grid !== ack.grid).length;
      const health = (await (await fetch(`${server.url}/api/v1/health`)).json()) as { state: { headSeq: number } };
      const entry: KillRound = {
        round,
        acknowledged: acked.size - before,
        inFlightAtKill,
        restartMs,
        lost,
        logGapFree: stored.every((e, i) => e.seq === i + 1),
        healthHeadMatches: health.state.headSeq === stored.length,
      };
      rounds.push(entry);
      log(JSON.stringify(entry));
    }
    const storedAtEnd = (await readLog(server.url)).length;
    server.child.kill('SIGTERM');
    const cleanExit = (await server.exited) === 0;
    return {
      setup: { kills: options.kills, rate: options.rate, burstMs: options.burstMs },
      rounds,
      acknowledged: acked.size,
      lost: rounds[rounds.length - 1]?.lost ?? 0,
      storedAtEnd,
      cleanExit,
    };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
