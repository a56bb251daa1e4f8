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
import type { IngestResponse, StoredEvent } from '../../protocol/events';
import { createGridIndex } from '../../server/geodata/grid-index';
import { loadCity } from '../../server/geodata/load';
import { spawnServer, type ChildServer } from './helpers/child-server';

const KEY = 'kill-nine-ingest-key-0123456789';
const running: ChildServer[] = [];

/** Points inside Kunming grids (bbox centres that the index places in a grid). */
async function kunmingPoints(n: number): Promise<Array<[number, number]>> {
  const city = await loadCity(path.resolve('geodata/kunming'));
  const index = createGridIndex(city.grids);
  const points: Array<[number, number]> = [];
  for (const grid of city.grids) {
    const centre: [number, number] = [(grid.bbox[0] + grid.bbox[2]) / 2, (grid.bbox[1] + grid.bbox[3]) / 2];
    if (index.locate(centre[0], centre[1]) !== null) points.push(centre);
    if (points.length >= n) break;
  }
  return points;
}

async function readAll(url: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let afterSeq: number | null = 0;
  while (afterSeq !== null) {
    const res = await fetch(`${url}/api/v1/history?from=0&to=${Date.now() + 3_600_000}&afterSeq=${afterSeq}&limit=50000`);
    const page = (await res.json()) as { events: StoredEvent[]; nextAfterSeq: number | null };
    events.push(...page.events);
    afterSeq = page.nextAfterSeq;
  }
  return events;
}

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
    const stored = await readAll(second.url);
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
