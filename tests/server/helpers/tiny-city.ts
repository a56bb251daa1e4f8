/**
 * A tiny city package for server tests: two districts side by side near Kunming's core, each one street, one
 * community and a 2×2 block of 0.01° square grids. Written to a temp dir in the package format, so the server
 * serves real files. Small enough that tests start in milliseconds; the Kunming package is used by the smoke test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Area, AreaLevel, CityGeodata, CityMeta, DepartmentProperties } from '../../../server/geodata/types';

export const DISTRICT_A = '530102';
export const DISTRICT_B = '530103';
const STEP = 0.01;
const LAT0 = 25.03;

/** West edge of each district's 2×2 block. */
const DISTRICT_LON0: Record<string, number> = { [DISTRICT_A]: 102.7, [DISTRICT_B]: 102.72 };

function square(lon: number, lat: number, size: number): Area['geometry'] {
  return { type: 'Polygon', coordinates: [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]] };
}

function area(code: string, name: string, level: AreaLevel, parent: string, lon: number, lat: number, size: number): Area {
  return { code, name, level, parent, households: 300, population: 800, geometry: square(lon, lat, size), bbox: [lon, lat, lon + size, lat + size] };
}

/** A grid's centre, WGS84. */
export function gridCentre(grid: string): [number, number] {
  const district = grid.slice(0, 6);
  const n = Number(grid.slice(12)) - 1;
  const lon0 = DISTRICT_LON0[district] ?? 0;
  return [lon0 + (n % 2) * STEP + STEP / 2, LAT0 + Math.floor(n / 2) * STEP + STEP / 2];
}

/** The grid codes of a district, in order. */
export function gridsOf(district: string): string[] {
  return [1, 2, 3, 4].map((n) => `${district}001001${String(n).padStart(3, '0')}`);
}

/** Builds the package in a fresh temp dir and returns it as loaded. */
export function tinyCity(): CityGeodata {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-tiny-city-'));
  const areas = new Map<string, Area>();
  const grids: Area[] = [];
  for (const district of [DISTRICT_A, DISTRICT_B]) {
    const lon0 = DISTRICT_LON0[district] as number;
    const size = 2 * STEP;
    areas.set(district, area(district, `District ${district}`, 'district', '530100', lon0, LAT0, size));
    areas.set(`${district}001`, area(`${district}001`, `Street ${district}001`, 'street', district, lon0, LAT0, size));
    areas.set(`${district}001001`, area(`${district}001001`, `Community ${district}001001`, 'community', `${district}001`, lon0, LAT0, size));
    gridsOf(district).forEach((code, n) => {
      const grid = area(code, `Grid ${code}`, 'grid', `${district}001001`, lon0 + (n % 2) * STEP, LAT0 + Math.floor(n / 2) * STEP, STEP);
      areas.set(code, grid);
      grids.push(grid);
    });
  }
  const departments: Array<{ position: [number, number] } & DepartmentProperties> = [
    { code: 'city-urban-management', name: '市城管局', kind: 'urban-management', level: 'city', jurisdiction: 'city', position: [102.71, 25.04] },
    ...[DISTRICT_A, DISTRICT_B].flatMap((d) => [
      { code: `${d}-public-security`, name: `${d}公安分局`, kind: 'public-security' as const, level: 'district' as const, jurisdiction: d, position: gridCentre(`${d}001001001`) },
      { code: `${d}001-urban-management`, name: `${d}001城管中队`, kind: 'urban-management' as const, level: 'street' as const, jurisdiction: `${d}001`, position: gridCentre(`${d}001001002`) },
    ]),
  ];
  const meta: CityMeta = {
    id: 'tiny',
    name: '测试市',
    nameEn: 'Tiny test city',
    code: '530100',
    crs: 'wgs84',
    center: [102.72, 25.05],
    view: { center: [102.72, 25.05], zoom: 13, bounds: [102.7, 25.03, 102.74, 25.05] },
    timezone: 'Asia/Shanghai',
    synthetic: { everything: true },
    provenance: [{ what: 'all', source: 'tests/server/helpers/tiny-city.ts', licence: 'MIT' }],
    counts: { district: 2, street: 2, community: 2, grid: grids.length },
  };
  const featureCollection = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
  fs.writeFileSync(path.join(dir, 'city.json'), JSON.stringify(meta));
  fs.writeFileSync(path.join(dir, 'areas.topo.json'), JSON.stringify({ type: 'Topology', objects: {}, arcs: [] }));
  fs.writeFileSync(path.join(dir, 'service-centres.geojson'), featureCollection([]));
  fs.writeFileSync(
    path.join(dir, 'departments.geojson'),
    featureCollection(departments.map(({ position, ...properties }) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: position }, properties }))),
  );
  fs.writeFileSync(path.join(dir, 'water.geojson'), featureCollection([]));
  return { dir, meta, areas, grids, serviceCentres: [], departments, staff: { [`${DISTRICT_A}001001001`]: [{ role: 'head', name: '张伟', phone: '13800000000', synthetic: true }] } };
}
