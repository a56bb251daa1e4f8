/**
 * The city package over HTTP: `GET /api/v1/city` (meta + catalogues + departments + file URLs), the package
 * files under `/geodata/<file>` (gzip once at start, ETag, cacheable), and `GET /api/v1/areas/:code`.
 */
import { Router, type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CATEGORIES, CHANNELS } from '../../protocol/catalogues';
import { AreaCodeSchema, type WhistleType } from '../../protocol/events';
import { DEFAULT_KPI_TARGETS, type KpiTargets } from '../../protocol/kpi';
import { REPORT_LIMIT_MINUTES } from '../../protocol/transition';
import type { Access } from '../auth/access';
import type { CityGeodata } from '../geodata/types';
import { badRequest, notFound } from './errors';
import { assertInScope, principalOf, requireReader } from './guards';

/** The package files served to the client, by URL name. */
export const PACKAGE_FILES = ['areas.topo.json', 'service-centres.geojson', 'departments.geojson', 'water.geojson'] as const;

interface CachedFile {
  raw: Buffer;
  gzip: Buffer;
  etag: string;
  type: string;
}

/** Reads and gzips the package files once; a missing file is a start-up error naming it. */
export function loadPackageFiles(dir: string): Map<string, CachedFile> {
  const files = new Map<string, CachedFile>();
  for (const name of PACKAGE_FILES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new Error(`${file}: missing from the city package`);
    const raw = fs.readFileSync(file);
    files.set(name, {
      raw,
      gzip: gzipSync(raw, { level: 9 }),
      etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`,
      type: name.endsWith('.geojson') ? 'application/geo+json' : 'application/json',
    });
  }
  return files;
}

export interface CityPolicy {
  /** the 报到时限 by whistle type this server writes into whistles that name none: the desk shows it as the whistle form's default */
  whistleReportMinutes: Readonly<Record<WhistleType, number>>;
  /** the wall's target per rate (KPI_TARGETS): the header draws a rate below it red, one at or above it green */
  kpiTargets: Readonly<KpiTargets>;
}

/** @param policy what this server is configured to hold its areas to; the defaults when left out */
export function cityRoutes(geodata: CityGeodata, access: Access, policy: CityPolicy = { whistleReportMinutes: REPORT_LIMIT_MINUTES, kpiTargets: DEFAULT_KPI_TARGETS }): Router {
  const { whistleReportMinutes, kpiTargets } = policy;
  const router = Router();
  const files = loadPackageFiles(geodata.dir);
  const departments = geodata.departments.map(({ position, ...props }) => ({ ...props, position }));

  router.get('/api/v1/city', (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json({
      meta: geodata.meta,
      categories: CATEGORIES,
      channels: CHANNELS,
      departments,
      whistleReportMinutes,
      kpiTargets,
      files: {
        areas: '/geodata/areas.topo.json',
        serviceCentres: '/geodata/service-centres.geojson',
        departments: '/geodata/departments.geojson',
        water: '/geodata/water.geojson',
      },
    });
  });

  router.get('/geodata/:file', (req: Request<{ file: string }>, res: Response) => {
    const cached = files.get(req.params.file);
    if (!cached) throw notFound(`No package file ${req.params.file}; files: ${PACKAGE_FILES.join(', ')}`);
    res.set({ ETag: cached.etag, 'Cache-Control': 'public, max-age=300, must-revalidate', Vary: 'Accept-Encoding' });
    res.type(cached.type);
    if (req.headers['if-none-match'] === cached.etag) {
      res.status(304).end();
      return;
    }
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      res.set('Content-Encoding', 'gzip');
      res.send(cached.gzip);
    } else {
      res.send(cached.raw);
    }
  });

  router.get('/api/v1/areas/:code', requireReader(access), (req: Request<{ code: string }>, res: Response) => {
    const code = req.params.code;
    const valid = AreaCodeSchema.safeParse(code);
    if (!valid.success) throw badRequest(`code: ${valid.error.issues[0]?.message ?? 'invalid'}`, [{ field: 'code', reason: valid.error.issues[0]?.message ?? 'invalid' }]);
    assertInScope(principalOf(res), code);
    if (code === 'city') {
      res.json({ code: 'city', name: geodata.meta.name, level: 'city', parent: null, chain: [], counts: geodata.meta.counts });
      return;
    }
    const area = geodata.areas.get(code);
    if (!area) throw notFound(`No area ${code} in ${geodata.meta.name}`);
    const chain: Array<{ code: string; name: string; level: string }> = [];
    for (let parent = geodata.areas.get(area.parent); parent; parent = geodata.areas.get(parent.parent)) {
      chain.unshift({ code: parent.code, name: parent.name, level: parent.level });
    }
    res.json({
      code: area.code,
      name: area.name,
      level: area.level,
      parent: area.parent,
      chain,
      households: area.households,
      population: area.population,
      bbox: area.bbox,
      serviceCentres: geodata.serviceCentres.filter((c) => c.area === area.code),
      ...(area.level === 'grid' ? { staff: geodata.staff[area.code] ?? [] } : {}),
    });
  });
  return router;
}
