/**
 * The server factory: wires config, store and city package into HTTP routes, the ingest queue, the live state and
 * the `/live` relay. It receives its store rather than opening it (socket.io basic-crud's `createApplication`), so
 * tests start real servers on port 0 against a temp store.
 *
 * ```
 * POST /api/v1/events ─► Ingestor (validate, CRS→WGS84, grid, state machine) ─► store.append (durable)
 *                                                                                 │
 *                        live state (applyEvent) ◄────────────────────────────────┤
 *                        LiveRelay (batch per area room per tick) ◄───────────────┘ ─► screens
 * ```
 *
 * @example
 * ```ts
 * const server = createServer({ config, store, geodata, logger });
 * const { port } = await server.listen();
 * // ...
 * await server.close();
 * ```
 */
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server as SocketServer } from 'socket.io';
import type { StoredEvent } from '../protocol/events';
import { LIVE_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../protocol/live';
import { applyEvent, createState, decodeCheckpoint, encodeCheckpoint, evict, restoreEvicted, snapshotOf, type CityState, type IncidentRecord } from '../protocol/reducer';
import { RecentChanges, TICKER_LENGTH } from '../protocol/recent-changes';
import { SNAPSHOT_VERSION } from '../protocol/snapshot';
import { Access } from './auth/access';
import { ensureCredentials } from './auth/credentials';
import { guardLiveSockets } from './auth/live-guard';
import { ClusterBus } from './cluster/cluster-bus';
import { isLoopbackHost, type Config } from './config';
import { createGridIndex } from './geodata/grid-index';
import type { CityGeodata } from './geodata/types';
import { actionRoutes } from './http/action-routes';
import { cityRoutes } from './http/city-routes';
import { errorHandler, notFoundHandler } from './http/errors';
import { clearDeadSessionCookie } from './http/guards';
import { incidentRoutes } from './http/incident-routes';
import { historyRoutes } from './http/history-routes';
import { CarryCache, HistoryStateFolder } from './http/history-state';
import { openApiDocument } from './http/openapi';
import { searchRoutes } from './http/search-routes';
import { securityHeaders } from './http/security';
import { Ingestor, type GridLocator } from './ingest/ingestor';
import { ingestRoutes } from './ingest/routes';
import { healthRoutes } from './ops/health';
import { createLogger, type Logger } from './ops/logger';
import { createMetrics } from './ops/metrics';
import { LiveRelay, type RelayMode, type ScreenData } from './relay/live-relay';
import { LogFollower } from './relay/log-follower';
import type { EventStore } from './store/event-store';

/**
 * City-wide changes the live state keeps for snapshots' ticker rows: a district's or a street's wall takes its latest
 * TICKER_LENGTH from them (a quiet community may find fewer; its wall seeds the rest from the cases).
 */
const LIVE_RECENT_CHANGES = 2_000;

export interface CreateServerOptions {
  config: Config;
  store: EventStore;
  geodata: CityGeodata;
  logger?: Logger;
  /** Overrides the grid index built from `geodata.grids`. */
  locator?: GridLocator;
  /** Overrides RELAY_MODE; `per-event` is the naive baseline for bench/relay-latency.bench.ts. */
  relayMode?: RelayMode;
  /** Events the relay keeps in memory for resumes (default 20,000). */
  relayRecentEvents?: number;
  /** Folder of the built client (default `dist/` in the working directory). */
  clientDir?: string;
  /** How often the live state is checkpointed into the store (ms; 0 = only at close). */
  checkpointEveryMs?: number;
}

export interface GridwatchServer {
  /** Rebuilds the live state from the store, then listens. Resolves with the bound port. */
  listen(): Promise<{ port: number; host: string }>;
  /** Stops intake, flushes the relay, checkpoints, closes sockets and HTTP. Does not close the store (its owner does). */
  close(): Promise<void>;
  /** In-process ingest, the same path as POST /api/v1/events (the built-in simulator uses it). */
  ingest: Ingestor['submit'];
  /** Files created on first start (credentials): print their location once. */
  createdCredentials: readonly string[];
  /** The ingest key in effect (tests and the in-process simulator use it; never log it). */
  ingestKey: string;
}

/** Builds a server; nothing listens or reads the store until `listen()`. */
export function createServer(options: CreateServerOptions): GridwatchServer {
  const { config, store, geodata } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const startedAt = Date.now();
  const credentials = ensureCredentials(config);
  const access = new Access({
    ingestKey: credentials.ingestKey,
    users: credentials.users,
    screenToken: config.screenToken,
    anonymousScreens: isLoopbackHost(config.host),
    sessionHours: config.sessionHours,
    sessionIdleMinutes: config.sessionIdleMinutes,
  });
  if (config.redisUrl && !config.relay.followLog) {
    // The adapter only wakes followers; without following the shared log a node would never see others' events.
    logger.warn('REDIS_URL is set but RELAY_FOLLOW_LOG is off: this node relays only its own ingest');
  }
  /** NODE_ID, else host:port once the port is bound. */
  let nodeId = config.nodeId ?? `${os.hostname()}:${config.port}`;
  /** The Redis adapter link to the other nodes (REDIS_URL); connected in listen(). */
  let bus: ClusterBus | undefined;
  const locator = options.locator ?? createGridIndex(geodata.grids);
  const departments = new Map(geodata.departments.map((d) => [d.code, d]));
  /** The live state; replaced once by the rebuild in listen(), so routes read it through this holder. */
  const live: { state: CityState } = { state: createState() };
  /** The live state's latest changes, for a snapshot's ticker rows (`Snapshot.recent`); refilled by the rebuild. */
  const recentChanges = new RecentChanges(LIVE_RECENT_CHANGES);
  let relay: LiveRelay | undefined;
  const applyCommitted = (events: StoredEvent[]) => {
    for (const event of events) {
      const applied = recentChanges.apply(live.state, event);
      if (!applied.ok) logger.warn({ seq: event.seq, field: applied.field, reason: applied.reason }, 'live state refused a committed event');
    }
    relay?.publish(events);
  };
  /** Several nodes on one PostgreSQL store: every node follows the shared log instead of relaying its own ingest. */
  const follower = config.relay.followLog
    ? new LogFollower({ store, intervalMs: config.relay.followPollMs, apply: applyCommitted, logger })
    : undefined;

  const ingestor = new Ingestor({
    store,
    locator,
    departments,
    cityName: geodata.meta.name,
    whistleReportMinutes: config.whistleReportMinutes,
    liveIncident: (id) => live.state.incidents.get(id),
    // Following a shared log, the live state may lag other nodes' commits by a poll: the store decides.
    storeFirst: follower !== undefined,
    onCommitted: (events: StoredEvent[], restored: IncidentRecord[]) => {
      // Late events of cases evicted from the live map (a rating days after closing): their records come back first.
      for (const record of restored) restoreEvicted(live.state, record);
      if (follower) {
        follower.poke();
        // Wake the other nodes' followers now rather than at their next poll.
        const last = events[events.length - 1];
        if (bus && last) bus.announceHead(last.seq);
      } else applyCommitted(events);
    },
    metrics,
    logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders({ clientDir: options.clientDir ?? path.resolve('dist') }));
  // Ingest is the busiest route by far (every feed's every batch), and it needs none of the session or health
  // middleware: it goes first, so its requests pass through no other layer (about 7% of ingest CPU in
  // bench/relay-latency.bench.ts's ingest-only run).
  app.use(ingestRoutes({
    ingestor,
    access,
    maxBodyBytes: config.ingest.maxBodyBytes,
    rateLimitPerMinute: config.ingest.rateLimitPerMinute,
  }));
  app.use(clearDeadSessionCookie(access));
  app.use(healthRoutes({
    store,
    metrics,
    startedAt,
    city: geodata.meta.id,
    node: () => nodeId,
    ...(config.redisUrl ? { cluster: async () => clusterHealth(bus) } : {}),
    screens: () => relay?.screens ?? 0,
    flushedSeq: () => relay?.flushedSeq ?? 0,
    stateSeq: () => live.state.headSeq,
    ingestQueue: () => ingestor.pending,
    metricsAccess: { token: config.metricsToken, loopback: isLoopbackHost(config.host) },
  }));
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use(actionRoutes({ access, users: credentials.users, ingestor }));
  app.use(cityRoutes(geodata, access, { whistleReportMinutes: config.whistleReportMinutes, kpiTargets: config.kpiTargets }));
  // Playback's windowed states and the desk's past views start from one carried-in cache, but fold in folders of
  // their own: an analyst opening area after area neither evicts the playback's cursor nor waits behind its folds.
  // A desk's state holds an area's cases of about two days, so its folder is capped far lower.
  const carry = new CarryCache(store);
  const deskFolder = new HistoryStateFolder(store, { carried: carry.carried, maxIncidents: 500_000 });
  app.use(historyRoutes({ access, store, carry }));
  app.use(incidentRoutes({ access, store, live, ingestor, history: deskFolder }));
  app.use(searchRoutes({ access, geodata, live, history: deskFolder, store }));
  const clientDir = options.clientDir ?? path.resolve('dist');
  if (fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }));
    // Client-side routes (e.g. /playback) get the app; API-like paths keep their JSON 404.
    app.get(/^\/(?!api\/|geodata\/|metrics|socket\.io\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(clientDir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('Gridwatch server is running; the client is not built (npm run build).\n');
    });
  }
  app.use('/api', notFoundHandler);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  const httpServer = http.createServer(app);
  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, ScreenData>(httpServer, { serveClient: false, cors: { origin: false }, maxHttpBufferSize: 64 * 1024 });
  const timers: NodeJS.Timeout[] = [];
  let liveGuard: { close(): void } | undefined;
  let checkpointedSeq = 0;
  let closed = false;

  const checkpoint = async () => {
    const seq = live.state.headSeq;
    if (seq <= checkpointedSeq) return;
    await store.saveCheckpoint(seq, encodeCheckpoint(live.state));
    checkpointedSeq = seq;
  };

  return {
    ingest: (body) => ingestor.submit(body),
    createdCredentials: credentials.created,
    ingestKey: credentials.ingestKey,
    async listen() {
      const rebuilt = await rebuildState(store, logger, { maxEnded: config.retainEndedMax, recent: recentChanges });
      live.state = rebuilt.state;
      checkpointedSeq = live.state.headSeq;
      await ingestor.init();
      if (config.redisUrl) {
        bus = await ClusterBus.connect({
          io,
          redisUrl: config.redisUrl,
          nodeId,
          channelPrefix: clusterChannelPrefix(config),
          logger,
        });
        bus.onHead((seq) => {
          if (follower && seq > follower.position) follower.poke();
        });
        bus.answerCensusWith(() => ({ node: nodeId, screens: relay?.screens ?? 0, headSeq: relay?.flushedSeq ?? 0 }));
      }
      // The log position read, not the state's head: a stored event the reducer refused still occupies its seq.
      const headSeq = rebuilt.seq;
      relay = new LiveRelay({
        namespace: io.of(LIVE_NAMESPACE),
        store,
        access,
        // Screens need only today's counters (and yesterday's around midnight): two days keep snapshots small.
        snapshotOf: (area) => snapshotOf(live.state, area, { days: 2 }),
        recentOf: (area) => recentChanges.latestFirst(area, TICKER_LENGTH),
        startSeq: headSeq,
        batchMs: config.relay.batchMs,
        maxBuffered: config.relay.maxBuffered,
        mode: options.relayMode ?? config.relay.mode,
        ...(options.relayRecentEvents !== undefined ? { recentCapacity: options.relayRecentEvents } : {}),
        metrics,
        logger,
      });
      // Sockets whose credentials end while connected (user removed, token expired, session over) are closed.
      liveGuard = guardLiveSockets({ namespace: io.of(LIVE_NAMESPACE), access, logger });
      if (follower) follower.start(headSeq);
      timers.push(setInterval(() => evict(live.state, Date.now()), 60_000));
      const every = options.checkpointEveryMs ?? 5 * 60_000;
      if (every > 0) {
        timers.push(setInterval(() => {
          checkpoint().catch((err: unknown) => logger.error({ err }, 'checkpoint failed'));
        }, every));
      }
      for (const timer of timers) timer.unref();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      if (config.nodeId === undefined) nodeId = `${os.hostname()}:${address.port}`;
      // Several nodes (or a named one): every series carries the node, so one Prometheus can scrape them all.
      if (config.nodeId !== undefined || config.databaseUrl !== undefined || config.redisUrl !== undefined) {
        metrics.registry.setDefaultLabels({ node: nodeId });
      }
      return { port: address.port, host: config.host };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearInterval(timer);
      // Stop intake first, then drain the queue so every acknowledged event reaches the relay and the checkpoint.
      const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await ingestor.close();
      await follower?.stop();
      liveGuard?.close();
      relay?.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await bus?.close();
      httpServer.closeAllConnections();
      await httpClosed;
      await checkpoint().catch((err: unknown) => logger.error({ err }, 'final checkpoint failed'));
    },
  };
}

/** The live state from the newest checkpoint plus the tail of the log. */
export async function rebuildState(
  store: EventStore,
  logger: Logger,
  options: { maxEnded?: number; recent?: RecentChanges } = {},
): Promise<{ state: CityState; seq: number }> {
  const started = Date.now();
  const saved = await store.loadCheckpoint();
  let state = createState();
  if (saved) {
    const version = saved.state[0];
    if (version !== SNAPSHOT_VERSION) {
      // An upgrade that changed the state's form: expected, and the log holds everything, so no alarm.
      logger.info({ checkpointVersion: version, version: SNAPSHOT_VERSION }, 'checkpoint written by another version of Gridwatch; replaying the whole log');
    } else {
      try {
        state = decodeCheckpoint(saved.state);
      } catch (err) {
        logger.warn({ err }, 'checkpoint unreadable; replaying the whole log');
      }
    }
  }
  // The cap is this start's configuration, not the one the checkpoint was written under.
  if (options.maxEnded !== undefined) state.options.maxEnded = options.maxEnded;
  const fromSeq = state.headSeq;
  let replayed = 0;
  /** the last log position read; above state.headSeq when the reducer refused the latest stored events */
  let seq = fromSeq;
  for await (const page of store.streamSeqRange(fromSeq)) {
    for (const event of page) {
      seq = event.seq;
      const applied = options.recent ? options.recent.apply(state, event) : applyEvent(state, event);
      if (!applied.ok) logger.warn({ seq: event.seq, reason: applied.reason }, 'stored event refused during rebuild');
      replayed++;
    }
  }
  evict(state, Date.now());
  logger.info({ checkpointSeq: fromSeq, replayed, headSeq: state.headSeq, ms: Date.now() - started }, 'live state rebuilt');
  return { state, seq };
}

/** Nodes of one store (database and schema) share a Redis channel; other deployments on the same Redis do not. */
function clusterChannelPrefix(config: Config): string {
  const database = config.databaseUrl ? new URL(config.databaseUrl).pathname.replace(/^\//, '') || 'postgres' : 'sqlite';
  return `gridwatch:${database}:${config.databaseSchema ?? 'public'}`;
}

/** Health's `cluster` section: every node that answered the census, and the screens across them. */
async function clusterHealth(bus: ClusterBus | undefined): Promise<unknown> {
  if (!bus) return { connected: false };
  const census = await bus.census();
  return {
    connected: true,
    complete: census.complete,
    nodes: census.nodes.length,
    screens: census.nodes.reduce((sum, n) => sum + n.screens, 0),
    members: census.nodes,
  };
}

function noCacheForHtml(res: http.ServerResponse, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
