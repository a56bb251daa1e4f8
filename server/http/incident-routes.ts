/**
 * Reads of the live state and the log: one incident with its timeline, the open incidents of an area, the KPIs of
 * an area now (the same `kpis` function the client runs), and history for playback. Every read is scoped.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AreaCodeSchema, IdSchema } from '../../protocol/events';
import { kpis } from '../../protocol/kpi';
import { isOpenStatus, type CityState } from '../../protocol/reducer';
import type { Access } from '../auth/access';
import type { Ingestor } from '../ingest/ingestor';
import type { EventStore } from '../store/event-store';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { badRequest, notFound } from './errors';
import { ARROW_STREAM_TYPE, encodeHistory } from './history-format';
import { assertInScope, parseQuery, principalOf, requireReader } from './guards';

/** An instant: ISO 8601 or epoch ms. */
const Instant = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
], { message: 'must be an ISO 8601 time with offset or epoch milliseconds' });

export const OpenIncidentsQuery = z.object({
  area: AreaCodeSchema.default('city'),
  status: z.literal('open', { message: 'must be `open` (the only listing for now)' }).default('open'),
});
export const KpiQuery = z.object({ area: AreaCodeSchema.default('city') });
export const HistoryQuery = z
  .object({
    from: Instant,
    to: Instant,
    area: AreaCodeSchema.default('city'),
    afterSeq: z.string().regex(/^\d{1,15}$/, 'must be a whole number').transform(Number).optional(),
    limit: z.string().regex(/^\d{1,6}$/, 'must be a whole number').transform(Number).pipe(z.number().min(1, 'must be ≥ 1').max(50_000, 'must be ≤ 50000')).optional(),
    /** `json` (default) or `arrow` (an Arrow IPC stream; see server/http/history-format.ts) */
    format: z.enum(['json', 'arrow'], { message: 'must be json or arrow' }).optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });

export const HISTORY_DEFAULT_LIMIT = 10_000;
const gzipAsync = promisify(gzip);

export interface IncidentRouteDeps {
  access: Access;
  store: EventStore;
  /** the live state, read through its holder (it is replaced once, at start) */
  live: { state: CityState };
  ingestor: Ingestor;
}

export function incidentRoutes({ access, store, live, ingestor }: IncidentRouteDeps): Router {
  const router = Router();
  const reader = requireReader(access);

  router.get('/api/v1/incidents/:id', reader, async (req: Request<{ id: string }>, res: Response) => {
    const id = IdSchema.safeParse(req.params.id);
    if (!id.success) throw badRequest(`id: ${id.error.issues[0]?.message ?? 'invalid'}`, [{ field: 'id', reason: id.error.issues[0]?.message ?? 'invalid' }]);
    const incident = await ingestor.incident(id.data);
    if (!incident) throw notFound(`No incident ${id.data}`);
    assertInScope(principalOf(res), incident.grid, 'incident in grid');
    const events = await store.incidentEvents(id.data);
    res.json({ incident, events });
  });

  router.get('/api/v1/incidents', reader, (req, res) => {
    const { area } = parseQuery(req, OpenIncidentsQuery);
    assertInScope(principalOf(res), area);
    const incidents = [];
    for (const record of live.state.incidents.values()) {
      if (isOpenStatus(record.status) && (area === 'city' || record.grid.startsWith(area))) incidents.push(record);
    }
    incidents.sort((a, b) => b.reportedAt - a.reportedAt);
    res.json({ area, headSeq: live.state.headSeq, incidents });
  });

  router.get('/api/v1/kpis', reader, (req, res) => {
    const { area } = parseQuery(req, KpiQuery);
    assertInScope(principalOf(res), area);
    res.json(kpis(live.state, area, Date.now()));
  });

  router.get('/api/v1/history', reader, async (req, res) => {
    const query = parseQuery(req, HistoryQuery);
    assertInScope(principalOf(res), query.area);
    const limit = query.limit ?? HISTORY_DEFAULT_LIMIT;
    const events = await store.readTimeRange({
      from: query.from,
      to: query.to,
      area: query.area,
      ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}),
      limit,
    });
    const last = events[events.length - 1];
    const nextAfterSeq = events.length === limit && last ? last.seq : null;
    if (query.format === 'arrow' || (query.format === undefined && req.accepts(['application/json', ARROW_STREAM_TYPE]) === ARROW_STREAM_TYPE)) {
      const bytes = encodeHistory(events);
      res.set('X-Next-After-Seq', nextAfterSeq === null ? '' : String(nextAfterSeq));
      res.set('Vary', 'Accept, Accept-Encoding');
      res.type(ARROW_STREAM_TYPE);
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        res.set('Content-Encoding', 'gzip');
        res.send(await gzipAsync(bytes));
      } else {
        res.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
      return;
    }
    const body = JSON.stringify({
      from: new Date(query.from).toISOString(),
      to: new Date(query.to).toISOString(),
      area: query.area,
      events,
      /** pass as `afterSeq` for the next page; null when this was the last */
      nextAfterSeq,
    });
    res.type('application/json');
    res.set('Vary', 'Accept, Accept-Encoding');
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      res.set('Content-Encoding', 'gzip');
      res.send(await gzipAsync(body));
    } else {
      res.send(body);
    }
  });
  return router;
}
