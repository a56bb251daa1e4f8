/**
 * Distributed-mode test rig: relay nodes as child processes (`server/main.ts` through tsx, SIMULATE=0) on the real
 * PostgreSQL (127.0.0.1:5432 db `test`, a schema of their own) and the real Redis (127.0.0.1:6379), plus a screen
 * that knows every node's URL and fails over, as a wall client behind a load balancer would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { io } from 'socket.io-client';
import type { IncomingEvent, IngestResponse, StoredEvent } from '../../../protocol/events';
import type { EventBatch, Snapshot } from '../../../protocol/live';
import { withDefaultUser } from '../../../server/store/postgres/connection';
import type { LiveClient } from '../../server/helpers/test-server';
import { TEST_DATABASE_URL, uniqueSchema } from '../../helpers/postgres';
import { spawnServer, type ChildServer } from '../../server/helpers/child-server';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const INGEST_KEY = 'cluster-test-ingest-key-0123456789';

/** A node of the cluster under test. */
export interface ClusterNode extends ChildServer {
  nodeId: string;
  /** POST /api/v1/events; rejects when the node is unreachable (e.g. killed). */
  post(events: IncomingEvent[]): Promise<IngestResponse>;
}

/** Nodes sharing one fresh schema; `close()` kills what is left and drops the schema. */
export class Cluster {
  readonly schema = uniqueSchema('cluster');
  readonly nodes: ClusterNode[] = [];
  private readonly dataDirs: string[] = [];

  /** Starts a node; extra env (e.g. RELAY_FOLLOW_POLL_MS) overrides the defaults. */
  async start(nodeId: string, env: Record<string, string> = {}): Promise<ClusterNode> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gridwatch-${nodeId}-`));
    this.dataDirs.push(dataDir);
    const child = await spawnServer({
      NODE_ID: nodeId,
      DATA_DIR: dataDir,
      SIMULATE: '0',
      INGEST_KEY,
      INGEST_RATE_LIMIT: '1000000',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: this.schema,
      REDIS_URL,
      ...env,
    });
    const node: ClusterNode = {
      ...child,
      nodeId,
      async post(events) {
        const res = await fetch(`${child.url}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` },
          body: JSON.stringify({ events }),
        });
        if (res.status !== 200) throw new Error(`POST to ${nodeId} answered ${res.status}: ${await res.text()}`);
        return (await res.json()) as IngestResponse;
      },
    };
    this.nodes.push(node);
    return node;
  }

  /** Every event in the shared log, in seq order, read straight from PostgreSQL. */
  async storedLog(): Promise<Array<{ seq: number; id: string }>> {
    return this.query(`SELECT seq, id FROM "${this.schema}".events ORDER BY seq`, (row: { seq: string; id: string }) => ({ seq: Number(row.seq), id: row.id }));
  }

  async close(): Promise<void> {
    for (const node of this.nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await Promise.all(this.nodes.map((node) => node.exited));
    await this.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`, () => undefined);
    for (const dir of this.dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  private async query<R, T>(sql: string, map: (row: R) => T): Promise<T[]> {
    const client = new pg.Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
    await client.connect();
    try {
      const result = await client.query(sql);
      return (result.rows as R[]).map(map);
    } finally {
      await client.end();
    }
  }
}

/** Points inside Kunming grids (the city package the child nodes serve). */
export { kunmingPoints } from '../../../bench/soak/server-process';

/** New incidents at the given points, with fresh ids. */
export function newIncidents(points: Array<[number, number]>, count: number, tag: string): IncomingEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${tag}-${i}-${randomUUID().slice(0, 8)}`,
    type: 'incident.reported' as const,
    at: new Date().toISOString(),
    incident: { id: `${tag}-inc-${i}-${randomUUID().slice(0, 8)}`, location: points[i % points.length] as [number, number], category: 'other', channel: 'other' },
  }));
}

/**
 * A screen given every node's URL. It subscribes to the whole city; when its node goes away it connects to the next
 * URL and resubscribes with `sinceSeq` = its last position, as the /live protocol asks.
 */
export class FailoverScreen {
  readonly snapshots: Snapshot[] = [];
  readonly batches: EventBatch[] = [];
  /** URLs it was connected to, in order. */
  readonly servedBy: string[] = [];
  private socket: LiveClient | undefined;
  private next = 0;
  private closed = false;
  /** Why a failover failed, if it did; `until` rejects with it. */
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly urls: string[]) {}

  /** Connects to the first URL and subscribes; resolves once subscribed. */
  start(): Promise<void> {
    return this.connect();
  }

  get events(): StoredEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  get position(): number {
    return Math.max(this.batches[this.batches.length - 1]?.toSeq ?? 0, this.snapshots[this.snapshots.length - 1]?.seq ?? 0);
  }

  /** Resolves when `predicate` holds, re-checked on every message; rejects after `ms`. */
  until(predicate: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what} (position ${this.position}, served by ${this.servedBy.join(' → ')})`));
      }, ms);
      const check = () => {
        if (this.failure) {
          clearTimeout(timer);
          reject(this.failure);
          return;
        }
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; attempt < this.urls.length * 3 && !this.closed; attempt++) {
      const url = this.urls[this.next % this.urls.length] as string;
      this.next++;
      const socket: LiveClient = io(`${url}/live`, { transports: ['websocket'], reconnection: false, timeout: 2_000 });
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      });
      if (!ok) {
        socket.close();
        continue;
      }
      this.socket = socket;
      this.servedBy.push(url);
      socket.on('snapshot', (s) => this.record(() => this.snapshots.push(s)));
      socket.on('events', (b) => this.record(() => this.batches.push(b)));
      socket.once('disconnect', () => {
        if (!this.closed) {
          this.connect().catch((err: unknown) => {
            this.failure = err instanceof Error ? err : new Error(String(err));
            this.record(() => undefined);
          });
        }
      });
      const position = this.position;
      const reply = await socket.emitWithAck('subscribe', position > 0 ? { area: 'city', sinceSeq: position } : { area: 'city' });
      if (!reply.ok) throw new Error(`subscribe on ${url} refused: ${reply.error.message}`);
      return;
    }
    if (!this.closed) throw new Error(`no node reachable among ${this.urls.join(', ')}`);
  }

  private record(push: () => void): void {
    push();
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Checks that batches chain (each `fromSeq` = previous `toSeq` + 1) and returns the first break, if any. */
export function firstChainBreak(screen: FailoverScreen): string | undefined {
  let position = screen.snapshots[0]?.seq ?? 0;
  for (const batch of screen.batches) {
    if (batch.fromSeq !== position + 1) return `batch ${batch.fromSeq}..${batch.toSeq} after position ${position}`;
    position = batch.toSeq;
  }
  return undefined;
}
