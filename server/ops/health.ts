/**
 * `GET /api/v1/health` and `GET /metrics`. Health answers 200 when the store answers, 503 otherwise, so a load
 * balancer takes a node with a broken store out of rotation.
 */
import { Router } from 'express';
import type { EventStore } from '../store/event-store';
import type { ServerMetrics } from './metrics';

export interface HealthDeps {
  store: EventStore;
  metrics: ServerMetrics;
  startedAt: number;
  city: string;
  /** This node's id (NODE_ID). */
  node?: () => string;
  /** With several nodes (REDIS_URL): every node's figures, gathered over the Redis adapter. */
  cluster?: () => Promise<unknown>;
  screens(): number;
  flushedSeq(): number;
  stateSeq(): number;
  ingestQueue(): number;
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/api/v1/health', async (_req, res) => {
    let store: { ok: boolean; backend: string; headSeq?: number; error?: string };
    try {
      store = { ok: true, backend: deps.store.backend, headSeq: await deps.store.headSeq() };
    } catch (err) {
      store = { ok: false, backend: deps.store.backend, error: (err as Error).message };
    }
    const cluster = deps.cluster ? await deps.cluster() : undefined;
    res.status(store.ok ? 200 : 503).json({
      status: store.ok ? 'ok' : 'degraded',
      ...(deps.node ? { node: deps.node() } : {}),
      city: deps.city,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      store,
      state: { headSeq: deps.stateSeq() },
      relay: { flushedSeq: deps.flushedSeq(), screens: deps.screens() },
      ingest: { queuedBatches: deps.ingestQueue() },
      ...(cluster !== undefined ? { cluster } : {}),
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
