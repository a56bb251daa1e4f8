/**
 * Reads of the live state and the log: one incident with its timeline, the open incidents of an area, the KPIs of
 * an area (the same `kpis` function the client runs). A case and the KPIs take `?at=`: as they stood then. Every
 * read is scoped. History is in history-routes.ts.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AreaCodeSchema, eventTime, IdSchema, toFieldErrors } from '../../protocol/events';
import { kpis } from '../../protocol/kpi';
import { isOpenStatus, recordAt, type CityState } from '../../protocol/reducer';
import type { Access } from '../auth/access';
import type { Ingestor } from '../ingest/ingestor';
import type { EventStore } from '../store/event-store';
import { badRequest, notFound } from './errors';
import { assertInScope, parseQuery, principalOf, requireReader } from './guards';
import { AtQuery, Instant, pastInstant } from './history-routes';
import type { HistoryStateFolder } from './history-state';

export const OpenIncidentsQuery = z.object({
  area: AreaCodeSchema.default('city'),
  status: z.literal('open', { message: 'must be `open` (the only listing for now)' }).default('open'),
});
export const KpiQuery = z.object({
  area: AreaCodeSchema.default('city'),
  /** a past instant: the figures as they stood then (a daily report at 18:00, say); without it, now */
  at: Instant.optional(),
});

export interface IncidentRouteDeps {
  access: Access;
  store: EventStore;
  /** the live state, read through its holder (it is replaced once, at start) */
  live: { state: CityState };
  ingestor: Ingestor;
  /** folds an area's state at a past instant for `/api/v1/kpis?at=` (the desk's folder) */
  history: HistoryStateFolder;
}

export function incidentRoutes({ access, store, live, ingestor, history }: IncidentRouteDeps): Router {
  const router = Router();
  const reader = requireReader(access);

  router.get('/api/v1/incidents/:id', reader, async (req: Request<{ id: string }>, res: Response) => {
    const id = IdSchema.safeParse(req.params.id);
    if (!id.success) throw badRequest(`id: ${id.error.issues[0]?.message ?? 'invalid'}`, toFieldErrors(id.error, 'id', req.params.id));
    // a past instant: the case as it stood then, with the events up to it; without it, now
    const { at } = parseQuery(req, AtQuery);
    const incident = await ingestor.incident(id.data);
    if (!incident) throw notFound(`No incident ${id.data}`);
    assertInScope(principalOf(res), incident.grid, 'incident in grid');
    const events = await store.incidentEvents(id.data);
    if (at === undefined) {
      res.json({ incident, events });
      return;
    }
    // as it stood at a past instant: its own events up to then, folded as playback folds the city
    const instant = pastInstant(at);
    const then = recordAt(events, instant);
    if (!then) throw notFound(`No incident ${id.data} at ${new Date(instant).toISOString()}: it was reported at ${new Date(incident.reportedAt).toISOString()}`);
    res.json({ incident: then, events: events.filter((event) => eventTime(event) <= instant), at: instant });
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

  router.get('/api/v1/kpis', reader, async (req, res) => {
    const { area, at } = parseQuery(req, KpiQuery);
    assertInScope(principalOf(res), area);
    if (at === undefined) {
      res.json(kpis(live.state, area, Date.now()));
      return;
    }
    // as they stood at a past instant: the area folded as the desk's past views are (its day's counters whole)
    const instant = pastInstant(at);
    res.json(await history.readPast(area, instant, (state) => kpis(state, area, instant)));
  });

  return router;
}
