/**
 * Service centres and departments. Every point is placed inside its area at a pole of inaccessibility (polylabel):
 * unlike a centroid it cannot fall outside a concave or multi-part area, and it keeps the label clear of borders.
 */
import polylabel from 'polylabel';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { AreaLevel, DepartmentKind, DepartmentProperties, ServiceCentreProperties } from '../../../server/geodata/types';
import { districtStem, shortCommunityName, streetStem } from './naming';
import { pointInRings, polygonArea, type LocalProjection, type Point } from './planar';

export interface PlacedArea {
  code: string;
  name: string;
  level: AreaLevel;
  parent: string;
  geometry: Polygon | MultiPolygon;
}

/** Rounds a lon/lat to 6 decimals (~0.1 m), the precision every point is written with. */
export function roundPosition(p: Position): [number, number] {
  return [Math.round((p[0] as number) * 1e6) / 1e6, Math.round((p[1] as number) * 1e6) / 1e6];
}

const poleCache = new WeakMap<object, [number, number]>();

/** Pole of inaccessibility of an area's largest part, in lon/lat, checked to lie inside the area. */
export function poleOf(geometry: Polygon | MultiPolygon, projection: LocalProjection): [number, number] {
  const cached = poleCache.get(geometry);
  if (cached) return cached;
  const pole = computePole(geometry, projection);
  poleCache.set(geometry, pole);
  return pole;
}

function computePole(geometry: Polygon | MultiPolygon, projection: LocalProjection): [number, number] {
  const parts = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const metres = parts.map((rings) => rings.map((r) => r.map((p) => projection.toMetres(p))));
  let largest = 0;
  metres.forEach((rings, i) => { if (polygonArea(rings) > polygonArea(metres[largest]!)) largest = i; });
  const pole = polylabel(metres[largest]!, 1);
  const at = roundPosition(projection.toLonLat([pole[0], pole[1]]));
  if (!pointInRings(at as Point, parts[largest]!)) {
    throw new Error(`pole of inaccessibility fell outside its area (${at.join(', ')}); the area may be degenerate`);
  }
  return at;
}

/** About the area of a 15-minute walking circle (radius ≈ 1.2 km): a community this large gets a station per such area. */
export const STATION_AREA_M2 = 4.5e6;

export type PlacedCentre = ServiceCentreProperties & { position: [number, number] };
export type PlacedDepartment = DepartmentProperties & { position: [number, number] };

/**
 * Party-mass service centres: one for the city, one per district, street and community, and stations
 * (党群服务站) in large communities: one per two {@link STATION_AREA_M2} of area, at most two, because one centre's
 * 15-minute walking circle cannot serve a spread-out (usually rural) community.
 * @param cityGrid the grid at the city core, which hosts the city centre
 */
export function placeServiceCentres(
  city: { code: string; name: string },
  cityCommunity: PlacedArea,
  levels: { district: PlacedArea[]; street: PlacedArea[]; community: PlacedArea[] },
  gridsOfCommunity: Map<string, PlacedArea[]>,
  areaM2: Map<string, number>,
  projection: LocalProjection,
): PlacedCentre[] {
  const centres: PlacedCentre[] = [];
  centres.push({ id: `SC-${city.code}`, name: `${city.name}党群服务中心`, level: 'city', area: city.code, position: poleOf(cityCommunity.geometry, projection) });
  for (const d of levels.district) centres.push({ id: `SC-${d.code}`, name: `${d.name}党群服务中心`, level: 'district', area: d.code, position: poleOf(d.geometry, projection) });
  for (const s of levels.street) centres.push({ id: `SC-${s.code}`, name: `${s.name}党群服务中心`, level: 'street', area: s.code, position: poleOf(s.geometry, projection) });
  for (const c of levels.community) {
    const centre = poleOf(c.geometry, projection);
    const short = shortCommunityName(c.name);
    centres.push({ id: `SC-${c.code}`, name: `${short}党群服务中心`, level: 'community', area: c.code, position: centre });
    // Stations stand in the community's grids farthest from its centre, where the centre's walking circle ends.
    const stations = Math.min(2, Math.floor((areaM2.get(c.code) ?? 0) / (2 * STATION_AREA_M2)));
    const grids = (gridsOfCommunity.get(c.code) ?? []).slice();
    const here = projection.toMetres(centre);
    const far = grids
      .map((g) => ({ g, d: Math.hypot(...(sub(projection.toMetres(poleOf(g.geometry, projection)), here))) }))
      .sort((a, b) => b.d - a.d || a.g.code.localeCompare(b.g.code));
    for (let i = 0; i < stations && i < far.length; i++) {
      centres.push({ id: `SC-${c.code}-S${i + 1}`, name: `${short}第${i + 1}党群服务站`, level: 'station', area: c.code, position: poleOf(far[i]!.g.geometry, projection) });
    }
  }
  return centres;
}

function sub(a: Point, b: Point): [number, number] {
  return [a[0] - b[0], a[1] - b[1]];
}

const CITY_DEPARTMENTS: Record<DepartmentKind, (city: string) => string> = {
  'public-security': (c) => `${c}公安局`,
  'urban-management': (c) => `${c}城市管理局`,
  'market-supervision': (c) => `${c}市场监督管理局`,
  housing: (c) => `${c}住房和城乡建设局`,
  water: (c) => `${c}水务局`,
  'ecology-environment': (c) => `${c}生态环境局`,
  health: (c) => `${c}卫生健康委员会`,
  judiciary: (c) => `${c}司法局`,
  fire: (c) => `${c}消防救援支队`,
};
const DISTRICT_DEPARTMENTS: Record<DepartmentKind, (city: string, district: string) => string> = {
  'public-security': (c, d) => `${c}公安局${districtStem(d)}分局`,
  'urban-management': (_c, d) => `${d}城市管理局`,
  'market-supervision': (_c, d) => `${d}市场监督管理局`,
  housing: (_c, d) => `${d}住房和城乡建设局`,
  water: (_c, d) => `${d}水务局`,
  'ecology-environment': (c, d) => `${c}生态环境局${districtStem(d)}分局`,
  health: (_c, d) => `${d}卫生健康局`,
  judiciary: (_c, d) => `${d}司法局`,
  fire: (_c, d) => `${d}消防救援大队`,
};
/** Units stationed in every street (派出所, 城管中队, 市场监管所, 司法所, 社区卫生服务中心). */
const STREET_DEPARTMENTS: Partial<Record<DepartmentKind, (street: string) => string>> = {
  'public-security': (s) => `${s}派出所`,
  'urban-management': (s) => `${s}城管执法中队`,
  'market-supervision': (s) => `${s}市场监管所`,
  judiciary: (s) => `${s}司法所`,
  health: (s) => `${s}社区卫生服务中心`,
};

/**
 * Departments at city, district and street level. Each sits in a different grid of its jurisdiction, the grids
 * nearest the jurisdiction's service centre first, so offices cluster around the seat without sharing a point.
 */
export function placeDepartments(
  city: { code: string; name: string },
  cityCentre: [number, number],
  levels: { district: PlacedArea[]; street: PlacedArea[] },
  centreOf: Map<string, [number, number]>,
  gridsUnder: (code: string | 'city') => PlacedArea[],
  projection: LocalProjection,
): PlacedDepartment[] {
  const out: PlacedDepartment[] = [];
  const place = (kinds: Array<[DepartmentKind, string]>, level: PlacedDepartment['level'], jurisdiction: string, codeBase: string, seat: [number, number]) => {
    const here = projection.toMetres(seat);
    const grids = gridsUnder(jurisdiction)
      .map((g) => ({ g, pole: poleOf(g.geometry, projection) }))
      .map((e) => ({ ...e, d: Math.hypot(...sub(projection.toMetres(e.pole), here)) }))
      .sort((a, b) => a.d - b.d || a.g.code.localeCompare(b.g.code));
    if (grids.length === 0) throw new Error(`no grid under ${jurisdiction} to host its departments`);
    kinds.forEach(([kind, name], i) => {
      const host = grids[i % grids.length]!;
      out.push({ code: `${codeBase}-${kind}`, name, kind, level, jurisdiction, position: host.pole });
    });
  };
  const all = Object.keys(CITY_DEPARTMENTS) as DepartmentKind[];
  place(all.map((k) => [k, CITY_DEPARTMENTS[k](city.name)]), 'city', 'city', city.code, cityCentre);
  for (const d of levels.district) {
    place(all.map((k) => [k, DISTRICT_DEPARTMENTS[k](city.name, d.name)]), 'district', d.code, d.code, centreOf.get(d.code)!);
  }
  for (const s of levels.street) {
    const stem = streetStem(s.name);
    const kinds = (Object.keys(STREET_DEPARTMENTS) as DepartmentKind[]).map((k) => [k, STREET_DEPARTMENTS[k]!(stem)] as [DepartmentKind, string]);
    place(kinds, 'street', s.code, s.code, centreOf.get(s.code)!);
  }
  return out;
}
