/**
 * Disk faults against the real server process:
 * - an unusable DATA_DIR (a file where the folder should be; a read-only file system) stops the start with a
 *   message that names the path, and writes nothing;
 * - a full disk (DATA_DIR on a 3 MB tmpfs) makes ingest answer 503 `store_unavailable` for the batch that does not
 *   fit, never a partial batch; the server keeps serving reads; after a restart every acknowledged event is there,
 *   the log is gap-free and SQLite's integrity check passes; once space is freed, ingest resumes.
 * The tmpfs cases need root (mount); without it they are skipped, and say so.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { IngestResponse } from '../../protocol/events';
import { kunmingPoints, readLog, startServerProcess, type ServerProcess } from '../../bench/soak/server-process';

const KEY = 'disk-fault-ingest-key-0123456789';
const mounts: string[] = [];
const running: ServerProcess[] = [];

/** Mounts a tmpfs (root only); undefined when this machine does not allow it. */
function tmpfs(options: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return dir;
  } catch {
    fs.rmdirSync(dir);
    return undefined;
  }
}
const canMount = (() => {
  const dir = tmpfs('size=1m');
  if (dir) {
    execFileSync('umount', [dir]);
    mounts.pop();
    fs.rmdirSync(dir);
  }
  return dir !== undefined;
})();

afterAll(() => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  for (const dir of mounts) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      fs.rmdirSync(dir);
    } catch {
      // already gone
    }
  }
});

async function postBatch(url: string, points: Array<[number, number]>, size: number): Promise<{ status: number; body: IngestResponse & { error?: { code: string; message: string } } }> {
  const at = new Date().toISOString();
  const events = Array.from({ length: size }, (_, i) => ({
    id: `df-${randomUUID()}`,
    type: 'incident.reported',
    at,
    // a long description fills the disk sooner
    incident: { id: `dfi-${randomUUID()}`, location: points[i % points.length], category: 'other', channel: 'other', description: '路面破损'.repeat(100) },
  }));
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ events }) });
  return { status: res.status, body: (await res.json()) as never };
}

describe('disk faults', () => {
  it('refuses to start on a DATA_DIR that is a file, naming the path', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-notdir-')), 'data');
    fs.writeFileSync(file, 'not a folder');
    await expect(startServerProcess({ DATA_DIR: file, INGEST_KEY: KEY }, 60_000)).rejects.toThrow(new RegExp(`failed to start: .*${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(fs.readFileSync(file, 'utf8')).toBe('not a folder');
  }, 90_000);

  it.runIf(canMount)('refuses to start on a read-only DATA_DIR, naming the path, and writes nothing', async () => {
    const dir = tmpfs('size=1m,ro') as string;
    await expect(startServerProcess({ DATA_DIR: dir, INGEST_KEY: KEY }, 60_000)).rejects.toThrow(new RegExp(`failed to start: DATA_DIR ${dir} must be a writable folder.*(read-only|EROFS)`, 'i'));
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 90_000);

  it.runIf(canMount)('on a full disk answers 503 for the batch that does not fit, loses no acknowledged event, and recovers', async () => {
    const dir = tmpfs('size=3m') as string;
    const points = await kunmingPoints(100);
    const env = { DATA_DIR: dir, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '1000000' };
    const first = await startServerProcess(env);
    running.push(first);
    const acked = new Map<string, number>();
    let full: { status: number; body: { error?: { code: string; message: string } } } | undefined;
    for (let round = 0; round < 400 && !full; round++) {
      const answer = await postBatch(first.url, points, 50);
      if (answer.status === 200) {
        expect(answer.body.stored).toBe(50);
        for (const ack of answer.body.acks) if (ack.status === 'stored') acked.set(ack.id, ack.seq);
      } else full = answer;
    }
    expect(full?.status).toBe(503);
    expect(full?.body.error?.code).toBe('store_unavailable');
    expect(full?.body.error?.message).toMatch(/nothing was stored/);
    expect(acked.size).toBeGreaterThan(0);
    // still serving: reads answer, and the live state holds exactly the acknowledged events
    const health = (await (await fetch(`${first.url}/api/v1/health`)).json()) as { state: { headSeq: number } };
    expect(health.state.headSeq).toBe(Math.max(...acked.values()));

    // Free space (as an operator would), then restart: the log is intact and ingest resumes.
    execFileSync('mount', ['-o', 'remount,size=64m', dir]);
    first.child.kill('SIGKILL');
    await first.exited;
    const db = new Database(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.db') || f.endsWith('.sqlite')) ?? 'gridwatch.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const second = await startServerProcess(env);
    running.push(second);
    const stored = await readLog(second.url);
    const bySeq = new Map(stored.map((e) => [e.id, e.seq]));
    expect([...acked].filter(([id, seq]) => bySeq.get(id) !== seq)).toEqual([]);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const after = await postBatch(second.url, points, 50);
    expect(after.status).toBe(200);
    expect(after.body.stored).toBe(50);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});
