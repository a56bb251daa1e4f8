/**
 * `GET /api/v1/health` and `GET /metrics`. Health answers 200 when the store answers, 503 otherwise, so a load
 * balancer takes a node with a broken store out of rotation.
 *
 * `/metrics` needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; without it, metrics are open
 * on a loopback bind (the demo) and refused on any other bind, so a network-facing node never exposes them by
 * accident.
 */
import { Router } from 'express';
import type { AuthCause } from '../../protocol/events';
import { bearer } from '../auth/access';
import { secretsEqual } from '../auth/secrets';
import { unauthorized } from '../http/errors';
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
  /** Who may read /metrics (default: anyone). */
  metricsAccess?: MetricsAccess;
}

/** METRICS_TOKEN, and whether the bind is loopback (where metrics are open without a token). */
export interface MetricsAccess {
  token: string | undefined;
  loopback: boolean;
}

/** Why a /metrics request is refused, or undefined when it may read. */
export function metricsRefusal(access: MetricsAccess, authorization: string | undefined): { reason: string; cause: AuthCause } | undefined {
  if (access.token === undefined) {
    return access.loopback
      ? undefined
      : { reason: 'metrics on a non-loopback bind need METRICS_TOKEN; set it and scrape with Authorization: Bearer <token>', cause: 'not_logged_in' };
  }
  const token = bearer(authorization);
  if (token === undefined) return { reason: 'metrics need Authorization: Bearer <METRICS_TOKEN>', cause: 'not_logged_in' };
  return secretsEqual(token, access.token) ? undefined : { reason: 'wrong metrics token', cause: 'unknown_token' };
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
  router.get('/metrics', async (req, res) => {
    const refusal = deps.metricsAccess ? metricsRefusal(deps.metricsAccess, req.headers.authorization) : undefined;
    if (refusal !== undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw unauthorized(refusal.reason, refusal.cause);
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
