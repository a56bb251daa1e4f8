/**
 * Starts a real Gridwatch server on port 0 against a temp SQLite store, and real socket.io clients against it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { randomUUID } from 'node:crypto';
import type { IncomingEvent, IngestResponse, StoredEvent } from '../../../protocol/events';
import type { ClientToServerEvents, EventBatch, ServerToClientEvents, Snapshot, SubscribeResult, Response } from '../../../protocol/live';
import { createServer, type GridwatchServer } from '../../../server/app';
import { loadConfig } from '../../../server/config';
import type { CityGeodata } from '../../../server/geodata/types';
import { createLogger } from '../../../server/ops/logger';
import type { RelayMode } from '../../../server/relay/live-relay';
import { openEventStore } from '../../../server/store/open-event-store';
import type { EventStore } from '../../../server/store/event-store';
import { gridCentre, tinyCity } from './tiny-city';

/** The ingest key every test server is started with. */
export const INGEST_KEY = 'test-ingest-key-0123456789';

export interface TestServer {
  url: string;
  port: number;
  server: GridwatchServer;
  store: EventStore;
  geodata: CityGeodata;
  dataDir: string;
  ingestKey: string;
  /** POST /api/v1/events with the ingest key. */
  post(body: unknown): Promise<{ status: number; json: IngestResponse & { error?: { code: string; fields?: Array<{ field: string; reason: string }> } } }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  geodata?: CityGeodata;
  relayMode?: RelayMode;
  relayRecentEvents?: number;
  dataDir?: string;
  /** Keep a data dir the helper created after close (to restart on it); otherwise it is removed. */
  keepData?: boolean;
  /** Opens the store (default: SQLite in dataDir). */
  openStore?: () => Promise<EventStore>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-test-'));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, SIMULATE: '0', LOG_LEVEL: 'silent', INGEST_KEY, ...options.env });
  const geodata = options.geodata ?? tinyCity();
  const store = options.openStore ? await options.openStore() : await openEventStore({ dataDir });
  const server = createServer({ config, store, geodata, logger: createLogger('silent'), ...(options.relayMode ? { relayMode: options.relayMode } : {}),
    ...(options.relayRecentEvents !== undefined ? { relayRecentEvents: options.relayRecentEvents } : {}),
  });
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    server,
    store,
    geodata,
    dataDir,
    ingestKey: server.ingestKey,
    async post(body) {
      const res = await fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.ingestKey}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as never };
    },
    async close() {
      await server.close();
      await store.close();
      if (options.dataDir === undefined && !options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A screen: connects to /live, records snapshots and batches. */
export class Screen {
  readonly socket: LiveClient;
  readonly snapshots: Snapshot[] = [];
  readonly batches: EventBatch[] = [];
  private waiters: Array<() => void> = [];

  constructor(url: string, token?: string) {
    this.socket = io(`${url}/live`, { transports: ['websocket'], reconnection: false, ...(token ? { auth: { token } } : {}) });
    this.socket.on('snapshot', (s) => {
      this.snapshots.push(s);
      this.wake();
    });
    this.socket.on('events', (b) => {
      this.batches.push(b);
      this.wake();
    });
  }

  /** Every event received so far, in arrival order. */
  get events(): StoredEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  /** The last toSeq received (or the snapshot's seq). */
  get position(): number {
    const lastBatch = this.batches[this.batches.length - 1];
    const lastSnapshot = this.snapshots[this.snapshots.length - 1];
    return Math.max(lastBatch?.toSeq ?? 0, lastSnapshot?.seq ?? 0);
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (err) => reject(err));
    });
  }

  subscribe(area: string, sinceSeq?: number): Promise<Response<SubscribeResult>> {
    return this.socket.emitWithAck('subscribe', sinceSeq === undefined ? { area } : { area, sinceSeq });
  }

  /** Resolves when `predicate` holds, re-checked on every message; rejects after `ms`. */
  until(predicate: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A new-incident event at a WGS84 point (or in a grid's centre). */
export function reported(location: [number, number] | string, extra: Partial<{ id: string; incidentId: string; crs: string; at: string }> = {}): IncomingEvent {
  const point = typeof location === 'string' ? gridCentre(location) : location;
  return {
    id: extra.id ?? `ev-${randomUUID()}`,
    type: 'incident.reported',
    at: extra.at ?? new Date().toISOString(),
    ...(extra.crs ? { crs: extra.crs as 'wgs84' } : {}),
    incident: { id: extra.incidentId ?? `inc-${randomUUID()}`, location: point, category: 'other', channel: 'other' },
  };
}

/** A lifecycle event without payload fields (registered, started, resolved, closed). */
export function lifecycle(type: 'incident.registered' | 'incident.started' | 'incident.resolved' | 'incident.closed', incidentId: string): IncomingEvent {
  return { id: `ev-${randomUUID()}`, type, at: new Date().toISOString(), incidentId };
}
