/**
 * The `/live` relay (protocol/live.ts). Committed events are queued and flushed, at most once per RELAY_BATCH_MS
 * and as soon as a batch is due, as ONE
 * `events` batch per subscribed area room, encoded once by Socket.IO's broadcast and written to every socket of
 * the room. Batches carry `{fromSeq, toSeq}` (both inclusive: the batch covers every log position
 * fromSeq..toSeq, and holds those events of the range that lie in the room's area), so consecutive batches chain
 * with `fromSeq = previous toSeq + 1` and a client's position is the last `toSeq`.
 *
 * Consistency rules, all of which rely on flush() being synchronous:
 * - A snapshot is taken right after a flush, when the live state's head equals the last flushed seq; the socket
 *   joins its room in the same tick, so the next batch starts exactly after the snapshot.
 * - A resume reads missed events from the recent log (memory) or the store (paged, async), chasing the flushed
 *   head until it is within memory, then finishes synchronously and joins the room: no gap, no duplicate.
 * - Room emits are `local`: with the Redis adapter (server/cluster/) each node relays the shared log to its own
 *   screens, so a batch forwarded to other nodes would reach their screens twice.
 * - A socket whose outgoing buffer exceeds RELAY_MAX_BUFFERED packets is taken out of its room, its backlog is
 *   dropped, and once its connection has drained it gets a fresh snapshot (`reason: 'overflow'`) and rejoins.
 */
import type { RecentChange } from '../../protocol/recent-changes';
import type { Namespace, Socket } from 'socket.io';
import type { StoredEvent } from '../../protocol/events';
import {
  SubscribeSchema,
  type ClientToServerEvents,
  type EventBatch,
  type Response,
  type ServerToClientEvents,
  type Snapshot,
  type SubscribeResult,
} from '../../protocol/live';
import { refusalOf, type Access } from '../auth/access';
import { areaInScope, type Principal } from '../auth/scope';
import type { EventStore } from '../store/event-store';
import type { Logger } from '../ops/logger';
import type { ServerMetrics } from '../ops/metrics';
import { RecentLog } from './recent-log';

/** How the relay pushes: coalesced batches per tick (default), or one emit per event (the naive baseline for bench/). */
export type RelayMode = 'batched' | 'per-event';

/** How long a resume ahead of this node's follower waits for it to catch up before settling for a snapshot. */
const CATCH_UP_MS = 3_000;

/** Beyond this many events behind, a resume gets a snapshot instead of the backlog. */
export const MAX_RESUME_EVENTS = 50_000;
const STORE_PAGE = 5_000;
/** A screen subscribes once per area it shows (and resumes after drops); a storm of subscribes is refused. */
const MAX_SUBSCRIBES_PER_WINDOW = 20;
const SUBSCRIBE_WINDOW_MS = 10_000;

export interface ScreenData {
  principal: Principal;
  /** the subscribed area, once subscribed */
  area?: string;
  /** bumped on each subscribe, so a stale async resume stops */
  generation: number;
  /** taken out of its room after an overflow; waits for its buffer to drain */
  recovering: boolean;
  /** times of recent subscribes, to refuse a subscribe storm (each may cost a whole-city snapshot) */
  recentSubscribes: number[];
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, ScreenData>;
export type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, ScreenData>;

export interface LiveRelayDeps {
  namespace: LiveNamespace;
  store: EventStore;
  access: Access;
  /** The reducer's serialised state of an area, as of the last flushed seq. */
  snapshotOf(area: string): unknown;
  /** The latest changes in an area that led to that state, latest first (`Snapshot.recent`); none when absent. */
  recentOf?(area: string): RecentChange[];
  /** The head seq of the store when the relay starts. */
  startSeq: number;
  batchMs: number;
  maxBuffered: number;
  mode?: RelayMode;
  /** Events kept in memory for fast resume (default 20,000); older positions are read from the store. */
  recentCapacity?: number;
  metrics: ServerMetrics;
  logger: Logger;
}

const roomOf = (area: string) => `area:${area}`;

/** Prefixes of a grid code under which rooms may exist: city, district, street, community, grid. */
function areasOf(grid: string): string[] {
  return ['city', grid.slice(0, 6), grid.slice(0, 9), grid.slice(0, 12), grid];
}

/** Fans committed events out to screens. */
export class LiveRelay {
  private pending: StoredEvent[] = [];
  private pendingSince = 0;
  private lastFlushed: number;
  /** When the last batch went out: the next one is due batchMs later (see publish). */
  private lastFlushAt = 0;
  /** Wakes the relay when the pending batch falls due. */
  private dueTimer: NodeJS.Timeout | undefined;
  private readonly recent: RecentLog;
  /** subscribers per area, to know which rooms to build batches for */
  private readonly subscribers = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly mode: RelayMode;
  /** per-event mode: the last seq each room's stream covers */
  private readonly roomPosition = new Map<string, number>();

  constructor(private readonly deps: LiveRelayDeps) {
    this.lastFlushed = deps.startSeq;
    this.recent = new RecentLog(deps.startSeq, deps.recentCapacity);
    this.mode = deps.mode ?? 'batched';
    this.timer = setInterval(() => this.tick(), deps.batchMs);
    this.timer.unref();
    deps.namespace.use((socket, next) => {
      const auth = deps.access.authenticateHandshake(socket.handshake.auth, socket.handshake.headers);
      const principal = deps.access.readerOf(auth);
      if (!principal) {
        const { reason, cause } = refusalOf(auth, 'a token is required');
        // the client's connect_error carries `data` as `error.data`: a screen words the refusal in its own language
        next(Object.assign(new Error(`unauthorized: ${reason}`), { data: { cause } }));
        return;
      }
      socket.data = { principal, generation: 0, recovering: false, recentSubscribes: [] };
      next();
    });
    deps.namespace.on('connection', (socket) => this.onConnection(socket));
  }

  /** Number of connected screens. */
  get screens(): number {
    return this.deps.namespace.sockets.size;
  }

  /** The last seq sent to rooms. */
  get flushedSeq(): number {
    return this.lastFlushed;
  }

  /** Queues committed events (seq order). In per-event mode each is emitted at once. */
  publish(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    if (this.pending.length === 0) this.pendingSince = Date.now();
    for (const event of events) this.pending.push(event);
    if (this.mode === 'per-event') {
      this.flush();
      return;
    }
    // A batch goes out as soon as it is due (batchMs after the previous one), not at the next tick of a fixed
    // timer phase: after a quiet spell an event leaves at once, and under steady load the flushes fall in step
    // with the commits, so no event waits a whole interval behind a timer phase. Frames stay ≥ batchMs apart.
    const wait = this.lastFlushAt + this.deps.batchMs - Date.now();
    if (wait <= 0) this.flush();
    else if (!this.dueTimer) {
      this.dueTimer = setTimeout(() => {
        this.dueTimer = undefined;
        this.flushSafely();
      }, wait);
      this.dueTimer.unref();
    }
  }

  /** Emits everything pending now. Synchronous by design (see the module comment). */
  flush(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.lastFlushAt = Date.now();
    const fromSeq = this.lastFlushed + 1;
    const toSeq = (events[events.length - 1] as StoredEvent).seq;
    this.lastFlushed = toSeq;
    this.recent.append(events, toSeq);
    const { metrics, namespace } = this.deps;
    metrics.relayBatchEvents.observe(events.length);
    metrics.relayLagSeconds.observe((Date.now() - this.pendingSince) / 1000);

    if (this.mode === 'per-event') {
      for (const event of events) {
        for (const area of areasOf(event.grid)) {
          if (!this.subscribers.has(area)) continue;
          // Each single-event frame still chains: it covers the log since the room's previous frame.
          const from = (this.roomPosition.get(area) ?? fromSeq - 1) + 1;
          this.roomPosition.set(area, event.seq);
          namespace.local.to(roomOf(area)).emit('events', { fromSeq: from, toSeq: event.seq, events: [event] });
        }
      }
      return;
    }
    const byArea = new Map<string, StoredEvent[]>();
    for (const event of events) {
      for (const area of areasOf(event.grid)) {
        if (!this.subscribers.has(area)) continue;
        let list = byArea.get(area);
        if (!list) byArea.set(area, (list = []));
        list.push(event);
      }
    }
    for (const area of this.subscribers.keys()) {
      const batch: EventBatch = { fromSeq, toSeq, events: byArea.get(area) ?? [] };
      namespace.local.to(roomOf(area)).emit('events', batch);
    }
  }

  /** Flushes and stops the timer; sockets are closed by the server. */
  close(): void {
    clearInterval(this.timer);
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    this.flush();
  }

  private tick(): void {
    try {
      this.guardBuffers();
    } catch (err) {
      this.deps.logger.error({ err }, 'relay tick failed');
    }
    // Pending events have their due timer; the periodic tick only catches what has none.
    if (!this.dueTimer) this.flushSafely();
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (err) {
      this.deps.logger.error({ err }, 'relay flush failed');
    }
  }

  /** Bounded buffering: overflowing sockets leave their room; drained ones get a fresh snapshot. */
  private guardBuffers(): void {
    for (const socket of this.deps.namespace.sockets.values()) {
      const area = socket.data.area;
      if (area === undefined) continue;
      const buffered = writeBufferLength(socket);
      if (socket.data.recovering) {
        if (buffered === 0) {
          socket.data.recovering = false;
          this.sendSnapshot(socket, area, 'overflow');
        }
      } else if (buffered > this.deps.maxBuffered) {
        this.leave(socket);
        socket.data.area = area;
        socket.data.recovering = true;
        dropBacklog(socket);
        this.deps.metrics.relayOverflows.inc();
        this.deps.logger.warn({ socket: socket.id, area, buffered }, 'screen overflowed; backlog dropped, snapshot follows');
      }
    }
  }

  private onConnection(socket: LiveSocket): void {
    this.deps.metrics.connectedScreens.inc();
    socket.on('subscribe', (request, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      this.subscribe(socket, request, reply).catch((err: unknown) => {
        this.deps.logger.error({ err, socket: socket.id }, 'subscribe failed');
        reply({ ok: false, error: { code: 'internal', message: 'subscribe failed; retry' } });
      });
    });
    socket.on('disconnect', () => {
      this.deps.metrics.connectedScreens.dec();
      this.leave(socket);
      socket.data.generation++;
    });
  }

  private async subscribe(socket: LiveSocket, request: unknown, ack: (r: Response<SubscribeResult>) => void): Promise<void> {
    const parsed = SubscribeSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      ack({
        ok: false,
        error: { code: 'invalid', message: issue?.message ?? 'invalid subscribe request', field: issue?.path.join('.') || '(root)' },
      });
      return;
    }
    const { area, sinceSeq } = parsed.data;
    const now = Date.now();
    const recent = socket.data.recentSubscribes.filter((t) => t > now - SUBSCRIBE_WINDOW_MS);
    if (recent.length >= MAX_SUBSCRIBES_PER_WINDOW) {
      ack({ ok: false, error: { code: 'rate_limited', message: `at most ${MAX_SUBSCRIBES_PER_WINDOW} subscribes per ${SUBSCRIBE_WINDOW_MS / 1000} s` } });
      return;
    }
    recent.push(now);
    socket.data.recentSubscribes = recent;
    if (!areaInScope(socket.data.principal.scope, area)) {
      ack({ ok: false, error: { code: 'forbidden', message: `area ${area} is outside this screen's scope`, field: 'area' } });
      return;
    }
    this.leave(socket);
    socket.data.recovering = false;
    const generation = ++socket.data.generation;
    if (sinceSeq !== undefined && sinceSeq > this.lastFlushed) {
      // A screen that fails over from another node may be ahead of this node's log follower: wait (briefly) for this
      // node to reach its position, so that it resumes exactly once instead of falling back to a snapshot.
      await this.catchUpTo(sinceSeq, () => socket.disconnected || socket.data.generation !== generation);
      if (socket.disconnected || socket.data.generation !== generation) return;
    }
    const head = this.pending[this.pending.length - 1]?.seq ?? this.lastFlushed;
    const tooOld = sinceSeq !== undefined && this.lastFlushed - sinceSeq > MAX_RESUME_EVENTS;
    const canResume = sinceSeq !== undefined && !tooOld && sinceSeq <= this.lastFlushed;
    ack({ ok: true, data: { area, mode: canResume ? 'resume' : 'snapshot', headSeq: head } });
    if (!canResume) {
      this.sendSnapshot(socket, area, tooOld ? 'resume-too-old' : 'subscribe');
      return;
    }
    await this.resume(socket, area, sinceSeq as number, generation);
  }

  /** Flush, snapshot, join: all in one tick. */
  private sendSnapshot(socket: LiveSocket, area: string, reason: Snapshot['reason']): void {
    this.flush();
    const snapshot: Snapshot = {
      area,
      seq: this.lastFlushed,
      serverTime: Date.now(),
      reason,
      state: this.deps.snapshotOf(area),
      ...(this.deps.recentOf ? { recent: this.deps.recentOf(area) } : {}),
    };
    socket.emit('snapshot', snapshot);
    this.join(socket, area);
  }

  /** Waits until this node has flushed `seq`, when the store holds it; gives up after CATCH_UP_MS or when stale. */
  private async catchUpTo(seq: number, stale: () => boolean): Promise<void> {
    if (seq > (await this.deps.store.headSeq())) return; // a position the log never had: the caller snapshots
    const deadline = Date.now() + CATCH_UP_MS;
    while (this.lastFlushed < seq && Date.now() < deadline && !stale()) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async resume(socket: LiveSocket, area: string, sinceSeq: number, generation: number): Promise<void> {
    let cursor = sinceSeq;
    const stale = () => socket.disconnected || socket.data.generation !== generation;
    while (!this.recent.covers(cursor)) {
      const target = Math.min(this.lastFlushed, this.recent.from);
      const page = await this.deps.store.readSeqRange(cursor, target, area, STORE_PAGE);
      if (stale()) return;
      const upTo = page.length === STORE_PAGE ? (page[page.length - 1] as StoredEvent).seq : target;
      socket.emit('events', { fromSeq: cursor + 1, toSeq: upTo, events: page });
      cursor = upTo;
    }
    // From here on, synchronous: the recent log holds (cursor, lastFlushed], the room delivers what follows.
    if (cursor < this.lastFlushed) {
      socket.emit('events', { fromSeq: cursor + 1, toSeq: this.lastFlushed, events: this.recent.after(cursor, area) });
    }
    this.join(socket, area);
  }

  private join(socket: LiveSocket, area: string): void {
    socket.data.area = area;
    void socket.join(roomOf(area));
    this.subscribers.set(area, (this.subscribers.get(area) ?? 0) + 1);
  }

  private leave(socket: LiveSocket): void {
    const area = socket.data.area;
    if (area === undefined) return;
    socket.data.area = undefined;
    if (socket.data.recovering) return; // already out of its room
    void socket.leave(roomOf(area));
    const count = (this.subscribers.get(area) ?? 1) - 1;
    if (count <= 0) this.subscribers.delete(area);
    else this.subscribers.set(area, count);
  }
}

/** engine.io keeps packets that the transport could not take yet in `writeBuffer` (not in its typings). */
interface EngineSocketInternals {
  writeBuffer?: unknown[];
}

function writeBufferLength(socket: LiveSocket): number {
  return (socket.conn as unknown as EngineSocketInternals).writeBuffer?.length ?? 0;
}

/** Drops packets not yet handed to the transport: the screen gets a snapshot that supersedes them. */
function dropBacklog(socket: LiveSocket): void {
  const internals = socket.conn as unknown as EngineSocketInternals;
  if (Array.isArray(internals.writeBuffer)) internals.writeBuffer.length = 0;
}
