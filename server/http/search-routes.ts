/**
 * The officer's desk lookups: `GET /api/v1/search?q=…` (areas by code, name or pinyin initials; incidents by id or
 * address text) and `GET /api/v1/desk/:code` (an area's open and recently closed cases, the service centres that
 * reach it and its public board). Both are scoped to the caller like every other read.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AreaCodeSchema } from '../../protocol/events';
import type { CityState } from '../../protocol/reducer';
import type { Access } from '../auth/access';
import type { CityGeodata } from '../geodata/types';
import { AreaSearch, incidentsMatching } from '../search/area-search';
import { areaDesk } from '../search/grid-desk';
import { badRequest, notFound } from './errors';
import { assertInScope, parseQuery, principalOf, requireReader } from './guards';

export const SearchQuery = z.object({
  q: z.string({ message: 'is required' }).min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  limit: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'must be ≥ 1').max(50, 'must be ≤ 50'))
    .optional(),
});

export interface SearchRouteDeps {
  access: Access;
  geodata: CityGeodata;
  live: { state: CityState };
}

export function searchRoutes({ access, geodata, live }: SearchRouteDeps): Router {
  const router = Router();
  const reader = requireReader(access);
  const areas = new AreaSearch(geodata.areas.values());

  router.get('/api/v1/search', reader, (req, res) => {
    const { q, limit = 10 } = parseQuery(req, SearchQuery);
    const scope = principalOf(res).scope;
    const areaHits = areas.areasMatching(q, { scope, limit });
    const incidentHits = incidentsMatching(live.state.incidents.values(), q, { scope, limit });
    // An exact incident id outranks area names; otherwise areas lead (they are what officers mostly look for).
    const exactIncident = incidentHits[0]?.id.toLowerCase() === q.trim().toLowerCase();
    const hits = exactIncident ? [...incidentHits, ...areaHits] : [...areaHits, ...incidentHits];
    res.json({ q, hits: hits.slice(0, limit) });
  });

  router.get('/api/v1/desk/:code', reader, (req: Request<{ code: string }>, res: Response) => {
    const valid = AreaCodeSchema.safeParse(req.params.code);
    if (!valid.success || valid.data === 'city') {
      const reason = valid.success ? 'must be a district, street, community or grid code' : (valid.error.issues[0]?.message ?? 'invalid');
      throw badRequest(`code: ${reason}`, [{ field: 'code', reason }]);
    }
    const code = valid.data;
    assertInScope(principalOf(res), code);
    if (!geodata.areas.has(code)) throw notFound(`No area ${code} in ${geodata.meta.name}`);
    res.json(areaDesk(geodata, live.state.incidents.values(), code, Date.now()));
  });
  return router;
}
