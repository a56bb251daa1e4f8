/**
 * The `/live` socket as a ReactiveController (protocol/live.ts): connects when the host connects, subscribes to the
 * area, and closes when the host disconnects. Incoming snapshots and batches are only queued here; the wall drains
 * the queue once per animation frame, so a burst of batches costs one fold and one redraw.
 *
 * Resume: the controller remembers the last seq it queued (`toSeq` of the last batch) and, on every reconnect,
 * subscribes with `sinceSeq` so the relay sends exactly the missed events: the wall catches up without a reload.
 * A batch that skips ahead (a gap) triggers a resubscribe from the last seq rather than a silent hole.
 *
 * Ended credentials: when the server closes the socket (the guard in server/auth/live-guard.ts: an officer's session
 * ended, a screen token expired) or refuses its handshake, socket.io does not try again by itself. The controller
 * does, after {@link RETRY_REFUSED_MS} and then less often (at most every {@link RETRY_REFUSED_MAX_MS}), and at once
 * on {@link LiveSocketController.retryNow} (the wall calls it when an officer logs in). On a loopback server the page
 * comes back as an anonymous screen once its dead cookie is cleared, elsewhere once someone logs in again; either way
 * it resumes from its last seq, so no event is lost or shown twice.
 *
 * Refused subscribe: a socket that is let in may still be refused its area (`forbidden`: outside the screen's or
 * officer's scope, for example after an admin narrowed it; `rate_limited`; `internal`). The controller then counts
 * as not live (`reconnecting`, then `stale`), keeps the refusal in `refusedFor` (`area_forbidden`) or `lastError`,
 * tells the host through `onRefused` (the wall moves into its scope) and asks again on the same backoff, so a scope
 * that is widened again brings the feed back without a reload.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import { AUTH_CAUSES, type AuthCause } from '../../protocol/events';
import {
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type EventBatch,
  type ServerToClientEvents,
  type Snapshot,
} from '../../protocol/live';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'stale';

/**
 * Why the server refuses the wall its feed: the socket's credentials (an `AuthCause`, from the handshake's
 * connect_error) or, with the socket let in, its area (`area_forbidden`: the subscribe was answered `forbidden`).
 */
export type LiveRefusal = AuthCause | 'area_forbidden';

/** After this long without a connection the wall says its data is stale (and since when). */
export const STALE_AFTER_MS = 10_000;

/** First retry after the server closed the socket or refused its credentials; each further refusal doubles it. */
export const RETRY_REFUSED_MS = 2_000;
/** The longest wait between those retries (a handshake refused this often costs the server next to nothing). */
export const RETRY_REFUSED_MAX_MS = 30_000;

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
  /** called when the server refuses the subscribe (its code: `forbidden`, `rate_limited`, …); the retry is already set */
  onRefused?: (code: string) => void;
}

export class LiveSocketController implements ReactiveController {
  connection: ConnectionState = 'connecting';
  /** epoch ms the connection was lost, while it is */
  disconnectedAt: number | null = null;
  /** server clock − local clock, from the latest snapshot (ms) */
  clockSkewMs = 0;
  lastError: string | null = null;
  /**
   * Why the server last refused the feed, until it is live again: the socket's credentials (its connect_error's
   * `data.cause`) or its area (`area_forbidden`).
   */
  refusedFor: LiveRefusal | null = null;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private queue: LiveQueue = { snapshot: null, batches: [] };
  /** the highest seq queued so far; null until the first snapshot */
  private position: number | null = null;
  private staleTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = RETRY_REFUSED_MS;

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
    socket.on('connect', () => {
      this.refusedFor = null;
      this.resetRetry();
      this.subscribe();
    });
    socket.on('disconnect', (reason) => {
      this.lost();
      // the server closed it (ended credentials): socket.io leaves it closed
      if (reason === 'io server disconnect') this.retryLater();
    });
    socket.on('connect_error', (error: Error & { data?: { cause?: unknown } }) => {
      this.lastError = error.message;
      const cause = error.data?.cause;
      this.refusedFor = typeof cause === 'string' && (AUTH_CAUSES as readonly string[]).includes(cause) ? (cause as AuthCause) : null;
      this.host.requestUpdate();
      this.lost();
      // a handshake refused by the server's middleware is not retried by socket.io (a network error is)
      if (!socket.active) this.retryLater();
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
    this.cancelRetry();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  /**
   * Connects again now if the socket is closed for good (its credentials were refused or ended), for example because
   * an officer has just logged in; does nothing while it is connected or socket.io is already retrying.
   */
  retryNow(): void {
    const socket = this.socket;
    if (!socket || socket.connected || socket.active) return;
    this.resetRetry();
    socket.connect();
  }

  private retryLater(): void {
    if (this.retryTimer !== null || !this.socket) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, RETRY_REFUSED_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const socket = this.socket;
      if (!socket) return;
      // let in but refused its area: ask for it again; closed: connect again (socket.io retries the rest itself)
      if (socket.connected) this.subscribe();
      else if (!socket.active) socket.connect();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** No retry pending, and the next refusal waits the first delay again (the server let the socket in, or was asked). */
  private resetRetry(): void {
    this.cancelRetry();
    this.retryDelay = RETRY_REFUSED_MS;
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
        this.refusedFor = null;
        this.resetRetry();
        this.disconnectedAt = null;
        this.setConnection('live');
        this.host.requestUpdate();
        return;
      }
      // `unauthorized`: the server's guard closes the socket too, and the disconnect sets the retry
      if (response.error.code === 'unauthorized') return;
      this.lastError = `${response.error.field ?? response.error.code}: ${response.error.message}`;
      this.refusedFor = response.error.code === 'forbidden' ? 'area_forbidden' : null;
      this.host.requestUpdate();
      this.lost();
      this.retryLater();
      this.options.onRefused?.(response.error.code);
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
