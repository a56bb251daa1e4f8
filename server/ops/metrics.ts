/**
 * Prometheus metrics of one server instance. Each server owns its registry, so that tests starting several
 * servers in one process never collide on metric names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  /** Ingested events by result: stored, duplicate, rejected. */
  ingestEvents: Counter<'result'>;
  /** Store append latency (one batch), seconds. */
  storeAppendSeconds: Histogram;
  /** Screens connected to /live. */
  connectedScreens: Gauge;
  /** Events per relay batch (the whole tick, before per-area filtering). */
  relayBatchEvents: Histogram;
  /** Commit → emit delay of the oldest event in a batch, seconds. */
  relayLagSeconds: Histogram;
  /** Screens whose backlog overflowed and who got a fresh snapshot instead. */
  relayOverflows: Counter;
}

/** Creates a fresh registry with the server's metrics and Node's default process metrics. */
export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gridwatch_' });
  return {
    registry,
    ingestEvents: new Counter({
      name: 'gridwatch_ingest_events_total',
      help: 'Ingested events by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    storeAppendSeconds: new Histogram({
      name: 'gridwatch_store_append_seconds',
      help: 'Latency of one store append (a batch), until durable',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    connectedScreens: new Gauge({
      name: 'gridwatch_connected_screens',
      help: 'Screens connected to the /live namespace',
      registers: [registry],
    }),
    relayBatchEvents: new Histogram({
      name: 'gridwatch_relay_batch_events',
      help: 'Events per relay tick',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
      registers: [registry],
    }),
    relayLagSeconds: new Histogram({
      name: 'gridwatch_relay_lag_seconds',
      help: 'Delay between an event being committed and its batch being emitted',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    relayOverflows: new Counter({
      name: 'gridwatch_relay_overflows_total',
      help: 'Screens whose backlog overflowed and were re-sent a snapshot',
      registers: [registry],
    }),
  };
}
