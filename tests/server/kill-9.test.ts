/**
 * Durability end to end: the server runs as a child process, several clients post batches concurrently and record
 * every ack, the process is killed with SIGKILL mid-stream, restarted on the same DATA_DIR, and every acknowledged
 * event must be there with the seq and grid it was acknowledged with.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { IngestResponse } from '../../protocol/events';
import { kunmingPoints, readLog } from '../../bench/soak/server-process';
import { spawnServer, type ChildServer } from './helpers/child-server';

const KEY = 'kill-nine-ingest-key-0123456789';
const running: ChildServer[] = [];

describe('kill -9 under load', () => {
  afterAll(() => {
    for (const server of running) server.child.kill('SIGKILL');
  });

  it('loses no acknowledged event', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-kill9-'));
    const env = { DATA_DIR: dataDir, SIMULATE: '0', INGEST_KEY: KEY, INGEST_RATE_LIMIT: '100000' };
    const points = await kunmingPoints(200);
    expect(points.length).toBeGreaterThan(50);

    const first = await spawnServer(env);
    running.push(first);
    const acked = new Map<string, { seq: number; grid: string }>();
    let stop = false;
    let batchesInFlight = 0;
    const poster = async (worker: number) => {
      for (let round = 0; !stop; round++) {
        const events = Array.from({ length: 20 }, (_, i) => ({
          id: `k9-${worker}-${round}-${i}-${randomUUID().slice(0, 8)}`,
          type: 'incident.reported',
          at: new Date().toISOString(),
          incident: { id: `k9i-${randomUUID()}`, location: points[(round * 20 + i + worker) % points.length], category: 'other', channel: 'other' },
        }));
        batchesInFlight++;
        try {
          const res = await fetch(`${first.url}/api/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
            body: JSON.stringify({ events }),
          });
          const body = (await res.json()) as IngestResponse;
          for (const ack of body.acks) if (ack.status === 'stored') acked.set(ack.id, { seq: ack.seq, grid: ack.grid });
        } catch {
          return; // the server died mid-request: that batch was never acknowledged
        } finally {
          batchesInFlight--;
        }
      }
    };
    const workers = [0, 1, 2, 3].map(poster);
    // Kill once a good number of acks are in, with requests still in flight.
    const deadline = Date.now() + 20_000;
    while (acked.size < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(batchesInFlight).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await first.exited;
    expect(acked.size).toBeGreaterThanOrEqual(400);

    const second = await spawnServer(env);
    running.push(second);
    const stored = await readLog(second.url);
    const byId = new Map(stored.map((e) => [e.id, e]));
    const missing = [...acked].filter(([id, ack]) => byId.get(id)?.seq !== ack.seq || byId.get(id)?.grid !== ack.grid);
    expect(missing).toEqual([]);
    // The log stays gap-free, and the restarted server keeps accepting.
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const health = (await (await fetch(`${second.url}/api/v1/health`)).json()) as { state: { headSeq: number } };
    expect(health.state.headSeq).toBe(stored.length);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
