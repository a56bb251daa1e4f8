/**
 * The officer's desk lookups: `GET /api/v1/search?q=…` (areas by code, name or pinyin initials; incidents by id or
 * address text, and any stored case by its exact id; `?at=` matches the cases as they stood at a past instant) and `GET /api/v1/desk/:code` (an area's open and recently closed cases, the service centres that
 * reach it and its public board; `?at=` gives it as it stood at a past instant, for playback). Both are scoped to
 * the caller like every other read.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AreaCodeSchema, IdSchema } from '../../protocol/events';
import type { CityState } from '../../protocol/reducer';
import { recordAt, type IncidentRecord } from '../../protocol/transition';
import type { Access } from '../auth/access';
import type { CityGeodata } from '../geodata/types';
import { AreaSearch, incidentsMatching, type IncidentHit } from '../search/area-search';
import { areaDesk } from '../search/grid-desk';
import { badRequest, notFound } from './errors';
import { assertInScope, parseQuery, principalOf, requireReader } from './guards';
import { AtQuery, Instant, pastInstant } from './history-routes';
import type { HistoryStateFolder } from './history-state';
import type { EventStore } from '../store/event-store';

export const SearchQuery = z.object({
  q: z.string({ message: 'is required' }).min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  limit: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'must be ≥ 1').max(50, 'must be ≤ 50'))
    .optional(),
  /** a past instant (playback): cases are matched as they stood then, folded from the store; without it, the live state */
  at: Instant.optional(),
});

export interface SearchRouteDeps {
  access: Access;
  geodata: CityGeodata;
  live: { state: CityState };
  /** folds the state at a past instant for `?at=` (a folder of the desk's own, on playback's carried-in cache) */
  history: HistoryStateFolder;
  /** finds a case by its exact id once the live state no longer holds it (ended more than a day ago); in playback, as it stood then */
  store: Pick<EventStore, 'getIncident' | 'incidentEvents'>;
}

export function searchRoutes({ access, geodata, live, history, store }: SearchRouteDeps): Router {
  const router = Router();
  const reader = requireReader(access);
  const areas = new AreaSearch(geodata.areas.values());

  router.get('/api/v1/search', reader, async (req, res) => {
    const { q, limit = 10, at } = parseQuery(req, SearchQuery);
    const scope = principalOf(res).scope;
    const areaHits = areas.areasMatching(q, { scope, limit });
    const instant = at === undefined ? undefined : pastInstant(at);
    let incidentHits: IncidentHit[];
    if (instant === undefined) incidentHits = incidentsMatching(live.state.incidents.values(), q, { scope, limit });
    else {
      // In playback the cases are those of the state at `at`, folded as the desk's past views are (the cases open
      // then and those of the day before it, with their status then); the caller's one area when it has one.
      const area = scope.length === 1 ? scope[0]! : 'city';
      incidentHits = await history.readPast(area, instant, (state) => incidentsMatching(state.incidents.values(), q, { scope, limit }));
    }
    let exactIncident = incidentHits[0]?.id.toLowerCase() === q.trim().toLowerCase();
    // A case's own id finds it however long ago it ended (a resident calling back about last month's case, an
    // analyst in playback): the store's projection keeps every case, the live state only the last day's ended ones.
    // In playback it is the case as it stood at `at`, folded from its own events, and nothing if it came later.
    const id = IdSchema.safeParse(q.trim());
    if (!exactIncident && id.success) {
      const record = instant === undefined ? ((await store.getIncident(id.data))?.doc as IncidentRecord | undefined) : recordAt(await store.incidentEvents(id.data), instant);
      const stored = record ? incidentsMatching([record], q, { scope, limit: 1 }) : [];
      if (stored.length > 0) {
        incidentHits = [...stored, ...incidentHits.filter((hit) => hit.id !== id.data)];
        exactIncident = true;
      }
    }
    // An exact incident id outranks area names; otherwise areas lead (they are what officers mostly look for).
    const hits = exactIncident ? [...incidentHits, ...areaHits] : [...areaHits, ...incidentHits];
    res.json({ q, hits: hits.slice(0, limit) });
  });

  router.get('/api/v1/desk/:code', reader, async (req: Request<{ code: string }>, res: Response) => {
    const valid = AreaCodeSchema.safeParse(req.params.code);
    if (!valid.success || valid.data === 'city') {
      const reason = valid.success ? 'must be a district, street, community or grid code' : (valid.error.issues[0]?.message ?? 'invalid');
      throw badRequest(`code: ${reason}`, [{ field: 'code', reason }]);
    }
    // a past instant (playback): the desk as it stood then, folded from the store; without it, now from the live state
    const { at } = parseQuery(req, AtQuery);
    const code = valid.data;
    assertInScope(principalOf(res), code);
    if (!geodata.areas.has(code)) throw notFound(`No area ${code} in ${geodata.meta.name}`);
    const now = Date.now();
    if (at === undefined) {
      res.json(areaDesk(geodata, live.state.incidents.values(), code, now));
      return;
    }
    const instant = pastInstant(at, now);
    res.json(await history.readPast(code, instant, (state) => areaDesk(geodata, state.incidents.values(), code, instant)));
  });
  return router;
}
