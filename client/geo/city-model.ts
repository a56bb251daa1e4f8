/**
 * The city as the wall draws it: the package the server publishes (`GET /api/v1/city` and `/geodata/<file>`),
 * decoded from TopoJSON once, shifted into the basemap's CRS, with lookups the layers need (grid index by code, the
 * service centre that blows each tier's whistle, department positions) and the coverage gaps computed once.
 */
import type { Feature, FeatureCollection, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type {
  AreaLevel,
  AreaProperties,
  CityMeta,
  DepartmentProperties,
  ServiceCentreProperties,
} from '../../server/geodata/types';
import { coverageGaps, SERVICE_CIRCLE_RADIUS_M } from './coverage';
import { type CoordinateShift, shiftCoordinatesInPlace } from './basemap-shift';
import type { WhistleType } from '../../protocol/events';
import { publishedReportMinutes } from '../../protocol/transition';
import { publishedKpiTargets, type KpiTargets } from '../../protocol/kpi';

export interface CatalogueEntry {
  code: string;
  name: string;
  nameEn?: string;
}

/** One area of any level, without geometry. */
export interface AreaInfo extends AreaProperties {
  bbox: [number, number, number, number];
}

/** One grid cell ready for a polygon layer: each polygon part is a separate entry of `gridParts`. */
export interface GridShape {
  index: number;
  code: string;
  name: string;
  /** representative point (area-weighted centroid of the largest ring) */
  centre: [number, number];
}

export interface GridPart {
  grid: number;
  polygon: Position[][];
}

/**
 * The one district of a package that holds only one (hefei-shushan: 蜀山区 of 合肥市), else null. Its whole-package
 * view is that district's, so the wall names it so (合肥市蜀山区, not 全市) and tours its streets, not the one district.
 */
export function soleDistrict(city: Pick<CityModel, 'districts'>): AreaInfo | null {
  return city.districts.length === 1 ? city.districts[0]! : null;
}

export type ServiceCentre = ServiceCentreProperties & { position: [number, number] };
export type Department = DepartmentProperties & { position: [number, number] };

export interface CityModel {
  meta: CityMeta;
  categories: CatalogueEntry[];
  channels: CatalogueEntry[];
  areas: Map<string, AreaInfo>;
  districts: AreaInfo[];
  grids: GridShape[];
  gridParts: GridPart[];
  gridIndexByCode: Map<string, number>;
  /** every ring (outer and holes) of each district, street, community and grid, by code: the desk outlines an area with them */
  areaRings: Map<string, Position[][]>;
  serviceCentres: ServiceCentre[];
  /** the centre serving an area code (district, street or community), used as the origin of whistle arcs */
  serviceCentreByArea: Map<string, ServiceCentre>;
  departments: Department[];
  departmentByCode: Map<string, Department>;
  /** the 报到时限 by whistle type (minutes) the server writes into whistles that name none: the whistle form's default */
  whistleReportMinutes: Readonly<Record<WhistleType, number>>;
  /** the target per rate (a share 0–1) the server holds its areas to: the KPI header draws a rate against it */
  kpiTargets: Readonly<KpiTargets>;
  /** GeoJSON for the MapLibre base style */
  base: {
    water: FeatureCollection;
    outlines: Record<Exclude<AreaLevel, 'grid'> | 'grid', FeatureCollection<MultiLineString>>;
    labels: Record<Exclude<AreaLevel, 'grid'>, FeatureCollection>;
  };
  coverage: { radiusM: number; gapGrids: Uint32Array; gapParts: GridPart[] };
}

export class CityLoadError extends Error {
  constructor(
    readonly resource: string,
    reason: string,
  ) {
    super(`${resource}: ${reason}`);
    this.name = 'CityLoadError';
  }
}

interface CityResponse {
  meta: CityMeta;
  categories?: CatalogueEntry[];
  channels?: CatalogueEntry[];
  files?: Partial<Record<'areas' | 'serviceCentres' | 'departments' | 'water', string>>;
  whistleReportMinutes?: Partial<Record<WhistleType, number>>;
  kpiTargets?: unknown;
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) throw new CityLoadError(url, `HTTP ${response.status}`);
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new CityLoadError(url, `not JSON (${(error as Error).message})`);
  }
}

/** Fetches and decodes the city package from the server the page came from. */
export async function loadCityModel(shift: CoordinateShift, signal: AbortSignal): Promise<CityModel> {
  const city = await getJson<CityResponse>('api/v1/city', signal);
  if (!city.meta || typeof city.meta.name !== 'string') throw new CityLoadError('api/v1/city', 'missing meta.name');
  const files = {
    areas: city.files?.areas ?? '/geodata/areas.topo.json',
    serviceCentres: city.files?.serviceCentres ?? '/geodata/service-centres.geojson',
    departments: city.files?.departments ?? '/geodata/departments.geojson',
    water: city.files?.water ?? '/geodata/water.geojson',
  };
  // Package URLs are absolute paths on the server; make them relative so a reverse-proxy prefix keeps working.
  const rel = (path: string) => path.replace(/^\//, '');
  const [topology, centres, departments, water] = await Promise.all([
    getJson<Topology>(rel(files.areas), signal),
    getJson<FeatureCollection>(rel(files.serviceCentres), signal),
    getJson<FeatureCollection>(rel(files.departments), signal),
    getJson<FeatureCollection>(rel(files.water), signal).catch(() => ({ type: 'FeatureCollection', features: [] }) as FeatureCollection),
  ]);
  return buildCityModel(city, topology, centres, departments, water, shift);
}

function objectOf(topology: Topology, level: AreaLevel): GeometryCollection<AreaProperties> {
  const object = topology.objects[level];
  if (!object || object.type !== 'GeometryCollection') {
    throw new CityLoadError('areas.topo.json', `object "${level}" is missing or not a GeometryCollection`);
  }
  return object as GeometryCollection<AreaProperties>;
}

function bboxOf(geometry: Polygon | MultiPolygon): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  for (const ring of rings) {
    for (const p of ring) {
      const x = p[0] ?? 0, y = p[1] ?? 0;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Area-weighted centroid of a ring (shoelace); falls back to the vertex mean for degenerate rings. */
function ringCentroid(ring: Position[]): { centre: [number, number]; area: number } {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0 = 0, y0 = 0] = ring[j]!;
    const [x1 = 0, y1 = 0] = ring[i]!;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-14) {
    const n = ring.length || 1;
    return { centre: [ring.reduce((s, p) => s + (p[0] ?? 0), 0) / n, ring.reduce((s, p) => s + (p[1] ?? 0), 0) / n], area: 0 };
  }
  return { centre: [cx / (3 * a), cy / (3 * a)], area: Math.abs(a / 2) };
}

function polygonsOf(geometry: Polygon | MultiPolygon): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

function pointFeatures<P>(collection: FeatureCollection, file: string, shift: CoordinateShift): Array<P & { position: [number, number] }> {
  if (!collection || !Array.isArray(collection.features)) throw new CityLoadError(file, 'not a FeatureCollection');
  return collection.features.map((f, i) => {
    if (f.geometry?.type !== 'Point') throw new CityLoadError(file, `feature ${i} is not a Point`);
    const [lon = NaN, lat = NaN] = f.geometry.coordinates;
    return { ...(f.properties as P), position: shift(lon, lat) };
  });
}

/** Decodes a fetched package. Exported for the benchmark harness and for tests that feed packages directly. */
export function buildCityModel(
  city: CityResponse,
  topology: Topology,
  centresFc: FeatureCollection,
  departmentsFc: FeatureCollection,
  water: FeatureCollection,
  shift: CoordinateShift,
): CityModel {
  const areas = new Map<string, AreaInfo>();
  const levelFeatures = {} as Record<AreaLevel, Array<Feature<Polygon | MultiPolygon, AreaProperties>>>;
  for (const level of ['district', 'street', 'community', 'grid'] as const) {
    const fc = feature(topology, objectOf(topology, level)) as FeatureCollection<Polygon | MultiPolygon, AreaProperties>;
    for (const f of fc.features) {
      shiftCoordinatesInPlace(f.geometry.coordinates, shift);
      areas.set(f.properties.code, { ...f.properties, level, bbox: bboxOf(f.geometry) });
    }
    levelFeatures[level] = fc.features;
  }

  const areaRings = new Map<string, Position[][]>();
  for (const level of ['district', 'street', 'community', 'grid'] as const) {
    for (const f of levelFeatures[level]) areaRings.set(f.properties.code, polygonsOf(f.geometry).flat());
  }

  const grids: GridShape[] = [];
  const gridParts: GridPart[] = [];
  const gridIndexByCode = new Map<string, number>();
  for (const f of levelFeatures.grid) {
    const index = grids.length;
    let best = { centre: [0, 0] as [number, number], area: -1 };
    for (const polygon of polygonsOf(f.geometry)) {
      gridParts.push({ grid: index, polygon });
      const c = ringCentroid(polygon[0] ?? []);
      if (c.area > best.area) best = c;
    }
    grids.push({ index, code: f.properties.code, name: f.properties.name, centre: best.centre });
    gridIndexByCode.set(f.properties.code, index);
  }

  const outline = (level: AreaLevel): FeatureCollection<MultiLineString> => {
    const m = mesh(topology, objectOf(topology, level) as GeometryCollection);
    shiftCoordinatesInPlace(m.coordinates, shift);
    return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { level }, geometry: m }] };
  };
  const labels = (level: Exclude<AreaLevel, 'grid'>): FeatureCollection => ({
    type: 'FeatureCollection',
    features: levelFeatures[level].map((f) => {
      // The largest ring's centroid keeps a label inside oddly shaped districts better than the bbox centre.
      let best = { centre: [0, 0] as [number, number], area: -1 };
      for (const polygon of polygonsOf(f.geometry)) {
        const c = ringCentroid(polygon[0] ?? []);
        if (c.area > best.area) best = c;
      }
      return { type: 'Feature', properties: { code: f.properties.code, name: f.properties.name }, geometry: { type: 'Point', coordinates: best.centre } };
    }),
  });
  for (const f of water.features ?? []) if (f.geometry && 'coordinates' in f.geometry) shiftCoordinatesInPlace(f.geometry.coordinates, shift);

  const serviceCentres = pointFeatures<ServiceCentreProperties>(centresFc, 'service-centres.geojson', shift);
  const serviceCentreByArea = new Map<string, ServiceCentre>();
  for (const centre of serviceCentres) if (centre.level !== 'station' && !serviceCentreByArea.has(centre.area)) serviceCentreByArea.set(centre.area, centre);
  const departments = pointFeatures<DepartmentProperties>(departmentsFc, 'departments.geojson', shift);

  const gapGrids = coverageGaps(
    serviceCentres.map((c) => c.position),
    grids.map((g) => g.centre),
  );
  const gapSet = new Set(gapGrids);
  const districts = [...areas.values()].filter((a) => a.level === 'district');

  return {
    meta: city.meta,
    categories: city.categories ?? [],
    channels: city.channels ?? [],
    areas,
    districts,
    grids,
    gridParts,
    gridIndexByCode,
    areaRings,
    serviceCentres,
    serviceCentreByArea,
    departments,
    departmentByCode: new Map(departments.map((d) => [d.code, d])),
    whistleReportMinutes: publishedReportMinutes(city.whistleReportMinutes),
    kpiTargets: publishedKpiTargets(city.kpiTargets),
    base: {
      water,
      outlines: { district: outline('district'), street: outline('street'), community: outline('community'), grid: outline('grid') },
      labels: { district: labels('district'), street: labels('street'), community: labels('community') },
    },
    coverage: { radiusM: SERVICE_CIRCLE_RADIUS_M, gapGrids, gapParts: gridParts.filter((p) => gapSet.has(p.grid)) },
  };
}
