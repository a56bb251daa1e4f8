/**
 * The `/live` socket as a ReactiveController (protocol/live.ts): connects when the host connects, subscribes to the
 * area, and closes when the host disconnects. Incoming snapshots and batches are only queued here; the wall drains
 * the queue once per animation frame, so a burst of batches costs one fold and one redraw.
 *
 * Resume: the controller remembers the last seq it queued (`toSeq` of the last batch) and, on every reconnect,
 * subscribes with `sinceSeq` so the relay sends exactly the missed events: the wall catches up without a reload.
 * A batch that skips ahead (a gap) triggers a resubscribe from the last seq rather than a silent hole.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import {
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type EventBatch,
  type ServerToClientEvents,
  type Snapshot,
} from '../../protocol/live';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'stale';

/** After this long without a connection the wall says its data is stale (and since when). */
export const STALE_AFTER_MS = 10_000;

export interface LiveQueue {
  snapshot: Snapshot | null;
  batches: EventBatch[];
}

export interface LiveSocketOptions {
  area: string;
  token?: string;
  /** socket.io server URL; defaults to the page's origin */
  url?: string;
  /** socket.io path; defaults to `socket.io` under the page's path (so a reverse-proxy prefix keeps working) */
  path?: string;
  /** called when something was queued: the wall schedules one animation frame to drain it */
  onQueued?: () => void;
}

export class LiveSocketController implements ReactiveController {
  connection: ConnectionState = 'connecting';
  /** epoch ms the connection was lost, while it is */
  disconnectedAt: number | null = null;
  /** server clock − local clock, from the latest snapshot (ms) */
  clockSkewMs = 0;
  lastError: string | null = null;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private queue: LiveQueue = { snapshot: null, batches: [] };
  /** the highest seq queued so far; null until the first snapshot */
  private position: number | null = null;
  private staleTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: LiveSocketOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const base = this.options.url ?? location.origin;
    // The socket path follows the page's path, so a reverse-proxy prefix (/wall/…) keeps working.
    const path = this.options.path ?? new URL('socket.io', location.href).pathname;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${base}${LIVE_NAMESPACE}`, {
      path,
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      auth: this.options.token ? { token: this.options.token } : {},
    });
    this.socket = socket;
    socket.on('connect', () => this.subscribe());
    socket.on('disconnect', () => this.lost());
    socket.on('connect_error', (error) => {
      this.lastError = error.message;
      this.lost();
    });
    socket.on('snapshot', (snapshot) => this.receiveSnapshot(snapshot));
    socket.on('events', (batch) => this.receiveBatch(batch));
    this.staleTimer = setInterval(() => {
      if (this.connection === 'reconnecting' && this.disconnectedAt !== null && Date.now() - this.disconnectedAt >= STALE_AFTER_MS) {
        this.setConnection('stale');
      }
    }, 1_000);
  }

  hostDisconnected(): void {
    if (this.staleTimer !== null) clearInterval(this.staleTimer);
    this.staleTimer = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  /** Takes everything received since the last call. */
  drain(): LiveQueue {
    const queued = this.queue;
    this.queue = { snapshot: null, batches: [] };
    return queued;
  }

  get pending(): boolean {
    return this.queue.snapshot !== null || this.queue.batches.length > 0;
  }

  private subscribe(): void {
    const socket = this.socket;
    if (!socket) return;
    const request = this.position === null ? { area: this.options.area } : { area: this.options.area, sinceSeq: this.position };
    socket.emit('subscribe', request, (response) => {
      if (response.ok) {
        this.lastError = null;
        this.disconnectedAt = null;
        this.setConnection('live');
      } else {
        this.lastError = `${response.error.field ?? response.error.code}: ${response.error.message}`;
        this.host.requestUpdate();
      }
    });
  }

  private lost(): void {
    if (this.disconnectedAt === null) this.disconnectedAt = Date.now();
    const stale = Date.now() - this.disconnectedAt >= STALE_AFTER_MS;
    this.setConnection(stale ? 'stale' : 'reconnecting');
  }

  private receiveSnapshot(snapshot: Snapshot): void {
    this.clockSkewMs = snapshot.serverTime - Date.now();
    this.queue = { snapshot, batches: [] };
    this.position = snapshot.seq;
    this.options.onQueued?.();
  }

  private receiveBatch(batch: EventBatch): void {
    if (this.position === null) return; // events before the first snapshot are covered by it
    if (batch.toSeq <= this.position) return;
    if (batch.fromSeq > this.position + 1) {
      // A hole in the log: ask again from where we are instead of drawing an incomplete city.
      this.subscribe();
      return;
    }
    this.queue.batches.push(batch);
    this.position = batch.toSeq;
    this.options.onQueued?.();
  }

  private setConnection(state: ConnectionState): void {
    if (this.connection === state) return;
    this.connection = state;
    this.host.requestUpdate();
  }
}
