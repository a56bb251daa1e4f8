/**
 * The link between relay nodes, over the Socket.IO Redis adapter (`@socket.io/redis-adapter`, Redis Pub/Sub, with
 * `redis` clients). Event payloads do NOT travel over it: every node reads them from the shared PostgreSQL log
 * (relay/log-follower.ts), because only the store gives gap-free seq ranges and exactly-once resume on any node.
 * Redis carries two small things:
 *
 * - **wake-ups**: after a commit a node broadcasts the new head seq (`serverSideEmit('head', seq)` on the internal
 *   `/cluster` namespace); every other node's follower reads the log at once instead of at its next poll. A lost
 *   wake-up costs latency only: the poll still runs, as a safety net.
 * - **cluster-wide questions**: how many nodes and screens there are (`serverSideEmit` with an ack), for health.
 *
 * ```
 * node A: ingest ─► store.append (COMMIT) ─► follower A reads ─► screens on A
 *                         └─► Redis PUBLISH head=n ─► node B: follower B reads seq > cursor ─► screens on B
 * ```
 *
 * The relay emits with `namespace.local`, so the adapter never forwards a batch to another node's screens (each node
 * sends the log to its own screens; a forwarded batch would arrive twice).
 *
 * @example
 * ```ts
 * const bus = await ClusterBus.connect({ io, redisUrl, nodeId: 'node-1', channelPrefix: 'gridwatch', logger });
 * bus.onHead((seq) => follower.poke());
 * bus.announceHead(42);
 * const { nodes, screens } = await bus.census(() => relay.screens);
 * await bus.close();
 * ```
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Namespace, Server } from 'socket.io';
import type { Logger } from '../ops/logger';

/** The internal namespace nodes talk on; screens may not connect to it. */
export const CLUSTER_NAMESPACE = '/cluster';

/** What one node answers to a census. */
export interface NodeCensus {
  node: string;
  screens: number;
  headSeq: number;
}

interface ClusterEvents {
  /** a node committed up to `seq` */
  head: (seq: number) => void;
  /** a census: each other node answers with its own figures */
  census: (reply: (answer: NodeCensus) => void) => void;
}

type ClusterNamespace = Namespace<Record<string, never>, Record<string, never>, ClusterEvents>;

export interface ClusterBusOptions {
  io: Server;
  /** REDIS_URL */
  redisUrl: string;
  /** This node's id (NODE_ID). */
  nodeId: string;
  /** Redis channel prefix: nodes of one store share it, other deployments on the same Redis must not. */
  channelPrefix: string;
  logger: Logger;
  /** How long a census waits for the other nodes (ms, default 1,000). */
  censusTimeoutMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;

const CONNECT_TIMEOUT_MS = 5_000;

/** The Redis adapter plus the node-to-node messages Gridwatch needs. */
export class ClusterBus {
  private readonly headListeners: Array<(seq: number) => void> = [];
  private localCensus: () => NodeCensus = () => ({ node: this.nodeId, screens: 0, headSeq: 0 });

  private constructor(
    private readonly nsp: ClusterNamespace,
    private readonly clients: RedisClient[],
    readonly nodeId: string,
    private readonly logger: Logger,
  ) {
    nsp.use((_socket, next) => next(new Error('forbidden: /cluster is for relay nodes only')));
    nsp.on('head', (seq) => {
      if (!Number.isSafeInteger(seq) || seq < 0) return;
      for (const listener of this.headListeners) listener(seq);
    });
    nsp.on('census', (reply) => {
      if (typeof reply === 'function') reply(this.localCensus());
    });
  }

  /**
   * Connects two Redis clients (publish, subscribe) and installs the adapter on every namespace of `io`.
   * @throws Error naming REDIS_URL when Redis cannot be reached.
   */
  static async connect(options: ClusterBusOptions): Promise<ClusterBus> {
    const pub: RedisClient = createClient({ url: options.redisUrl, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000) } });
    const sub = pub.duplicate();
    // Without a listener, a lost connection would crash the process; the clients reconnect by themselves.
    for (const client of [pub, sub]) {
      client.on('error', (err: unknown) => options.logger.warn({ err: errorMessage(err) }, 'Redis connection error; reconnecting'));
    }
    try {
      // The clients retry forever by design; at start-up a Redis that does not answer must stop the start instead.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      });
      try {
        await Promise.race([Promise.all([pub.connect(), sub.connect()]), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      await Promise.allSettled([pub.destroy(), sub.destroy()]);
      throw new Error(`REDIS_URL: cannot connect to Redis (${errorMessage(err)})`);
    }
    options.io.adapter(createAdapter(pub, sub, { key: options.channelPrefix, requestsTimeout: options.censusTimeoutMs ?? 1_000 }));
    const nsp = options.io.of(CLUSTER_NAMESPACE) as unknown as ClusterNamespace;
    return new ClusterBus(nsp, [pub, sub], options.nodeId, options.logger);
  }

  /** Calls `listener` whenever another node announces a new head. */
  onHead(listener: (seq: number) => void): void {
    this.headListeners.push(listener);
  }

  /** Tells every other node that the log grew to `seq`. Fire and forget: a lost message only costs latency. */
  announceHead(seq: number): void {
    try {
      this.nsp.serverSideEmit('head', seq);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'head announcement failed');
    }
  }

  /** What this node answers to a census. */
  answerCensusWith(local: () => NodeCensus): void {
    this.localCensus = local;
  }

  /**
   * Asks every node for its figures (the adapter waits `censusTimeoutMs` for answers). When some node does not
   * answer in time, only this node's figures come back, with `complete: false`.
   */
  async census(): Promise<{ nodes: NodeCensus[]; complete: boolean }> {
    const own = this.localCensus();
    try {
      const others: unknown[] = await this.nsp.serverSideEmitWithAck('census');
      return { nodes: [own, ...others.filter(isNodeCensus)], complete: true };
    } catch (err) {
      // The adapter rejects when some node did not answer in time; the census is then partial.
      this.logger.debug({ err: errorMessage(err) }, 'cluster census incomplete');
      return { nodes: [own], complete: false };
    }
  }

  /** Disconnects from Redis. */
  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((client) => client.quit()));
  }
}

function isNodeCensus(value: unknown): value is NodeCensus {
  const v = value as Partial<NodeCensus> | null;
  return typeof v === 'object' && v !== null && typeof v.node === 'string' && typeof v.screens === 'number' && typeof v.headSeq === 'number';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
