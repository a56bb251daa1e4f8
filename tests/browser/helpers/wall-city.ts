/**
 * A small, real-format city package for the wall's browser tests and dev server: two districts side by side near
 * Kunming's core, each 2 streets × 2 communities × 12 grids of 0.005° squares (96 grids), service centres per area
 * (leaving the outer corners outside every 15-minute circle, so coverage gaps exist), and departments at city,
 * district and street level. Written to a temp dir (TopoJSON with shared arcs, as the server serves it) and returned
 * as loaded, so tests draw quickly in software WebGL and know exactly where everything is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { topology } from 'topojson-server';
import type {
  Area,
  AreaLevel,
  CityGeodata,
  CityMeta,
  DepartmentProperties,
  ServiceCentreProperties,
} from '../../../server/geodata/types';

export const WALL_DISTRICTS = ['530102', '530103'] as const;
const STEP = 0.005;
const LON0 = 102.68;
const LAT0 = 25.02;
/** grid columns and rows per district */
const COLS = 6;
const ROWS = 8;

function rect(lon: number, lat: number, w: number, h: number): Area['geometry'] {
  return { type: 'Polygon', coordinates: [[[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]] };
}

function makeArea(code: string, name: string, level: AreaLevel, parent: string, lon: number, lat: number, w: number, h: number): Area {
  return { code, name, level, parent, households: 300, population: 820, geometry: rect(lon, lat, w, h), bbox: [lon, lat, lon + w, lat + h] };
}

/** Centre of a grid, WGS84. */
export function wallGridCentre(city: CityGeodata, grid: string): [number, number] {
  const area = city.areas.get(grid);
  if (!area) throw new Error(`no grid ${grid}`);
  return [(area.bbox[0] + area.bbox[2]) / 2, (area.bbox[1] + area.bbox[3]) / 2];
}

export function wallCity(): CityGeodata {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-wall-city-'));
  const areas = new Map<string, Area>();
  const grids: Area[] = [];
  const serviceCentres: CityGeodata['serviceCentres'] = [];
  const departments: CityGeodata['departments'] = [];
  const names = { '530102': '五华区', '530103': '盘龙区' } as Record<string, string>;
  const streetNames = ['华山街道', '护国街道', '拓东街道', '鼓楼街道'];
  const communityNames = ['翠湖社区', '文林社区', '青云社区', '圆通社区', '联盟社区', '金星社区', '东华社区', '双龙社区'];

  WALL_DISTRICTS.forEach((district, d) => {
    const lon = LON0 + d * COLS * STEP;
    areas.set(district, makeArea(district, names[district]!, 'district', '530100', lon, LAT0, COLS * STEP, ROWS * STEP));
    serviceCentres.push({ id: `sc-${district}`, name: `${names[district]}党群服务中心`, level: 'district', area: district, position: [lon + 1.5 * STEP, LAT0 + 4 * STEP] });
    departments.push(
      { code: `${district}-public-security`, name: `${names[district]}公安分局`, kind: 'public-security', level: 'district', jurisdiction: district, position: [lon + 4.5 * STEP, LAT0 + 6.5 * STEP] },
      { code: `${district}-housing`, name: `${names[district]}住建局`, kind: 'housing', level: 'district', jurisdiction: district, position: [lon + 1.5 * STEP, LAT0 + 1.5 * STEP] },
    );
    for (let s = 0; s < 2; s++) {
      const street = `${district}00${s + 1}`;
      const slat = LAT0 + s * 4 * STEP;
      areas.set(street, makeArea(street, streetNames[d * 2 + s]!, 'street', district, lon, slat, COLS * STEP, 4 * STEP));
      serviceCentres.push({ id: `sc-${street}`, name: `${streetNames[d * 2 + s]}党群服务中心`, level: 'street', area: street, position: [lon + 3 * STEP, slat + 2 * STEP] });
      departments.push({ code: `${street}-urban-management`, name: `${streetNames[d * 2 + s]}城管中队`, kind: 'urban-management', level: 'street', jurisdiction: street, position: [lon + 5 * STEP, slat + 0.8 * STEP] });
      for (let c = 0; c < 2; c++) {
        const community = `${street}00${c + 1}`;
        const clon = lon + c * 3 * STEP;
        const communityName = communityNames[d * 4 + s * 2 + c]!;
        areas.set(community, makeArea(community, communityName, 'community', street, clon, slat, 3 * STEP, 4 * STEP));
        serviceCentres.push({ id: `sc-${community}`, name: `${communityName}党群服务站`, level: 'community', area: community, position: [clon + 1.5 * STEP, slat + 2 * STEP] });
        let n = 0;
        // numbered west→east, north→south, as the real packages are
        for (let row = 3; row >= 0; row--) {
          for (let col = 0; col < 3; col++) {
            n += 1;
            const code = `${community}${String(n).padStart(3, '0')}`;
            const grid = makeArea(code, `${communityName}第${n}网格`, 'grid', community, clon + col * STEP, slat + row * STEP, STEP, STEP);
            areas.set(code, grid);
            grids.push(grid);
          }
        }
      }
    }
  });
  departments.push(
    { code: 'city-urban-management', name: '市城管局', kind: 'urban-management', level: 'city', jurisdiction: 'city', position: [LON0 + 6 * STEP, LAT0 + 9.2 * STEP] },
    { code: 'city-fire', name: '市消防救援支队', kind: 'fire', level: 'city', jurisdiction: 'city', position: [LON0 + 9 * STEP, LAT0 - 1.2 * STEP] },
  );
  const totalW = 2 * COLS * STEP;
  const meta: CityMeta = {
    id: 'wall-test',
    name: '昆明市',
    nameEn: 'Kunming (test)',
    code: '530100',
    crs: 'wgs84',
    center: [LON0 + totalW / 2, LAT0 + (ROWS * STEP) / 2],
    view: { center: [LON0 + totalW / 2, LAT0 + (ROWS * STEP) / 2], zoom: 13, bounds: [LON0, LAT0, LON0 + totalW, LAT0 + ROWS * STEP] },
    timezone: 'Asia/Shanghai',
    synthetic: { streets: true, communities: true, grids: true, staff: true },
    provenance: [{ what: 'all', source: 'tests/browser/helpers/wall-city.ts', licence: 'MIT' }],
    counts: { district: 2, street: 4, community: 8, grid: grids.length },
  };

  const collection = (level: AreaLevel) => ({
    type: 'GeometryCollection' as const,
    geometries: [...areas.values()]
      .filter((a) => a.level === level)
      .map((a) => ({ type: 'Feature' as const, properties: { code: a.code, name: a.name, level: a.level, parent: a.parent, households: a.households, population: a.population }, geometry: a.geometry })),
  });
  const fc = (level: AreaLevel) => ({ type: 'FeatureCollection' as const, features: collection(level).geometries });
  const topo = topology({ district: fc('district'), street: fc('street'), community: fc('community'), grid: fc('grid') } as Parameters<typeof topology>[0], 1e5);
  const points = <P>(items: Array<{ position: number[] } & P>) => ({
    type: 'FeatureCollection',
    features: items.map(({ position, ...props }) => ({ type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: position } })),
  });
  const water = {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { name: '测试湖' }, geometry: rect(LON0 + totalW + 0.002, LAT0, 0.02, 0.02) }],
  };
  fs.writeFileSync(path.join(dir, 'city.json'), JSON.stringify(meta));
  fs.writeFileSync(path.join(dir, 'areas.topo.json'), JSON.stringify(topo));
  fs.writeFileSync(path.join(dir, 'service-centres.geojson'), JSON.stringify(points<ServiceCentreProperties>(serviceCentres)));
  fs.writeFileSync(path.join(dir, 'departments.geojson'), JSON.stringify(points<DepartmentProperties>(departments)));
  fs.writeFileSync(path.join(dir, 'water.geojson'), JSON.stringify(water));
  fs.writeFileSync(path.join(dir, 'staff.json'), '{}');
  return { dir, meta, areas, grids, serviceCentres, departments, staff: {} };
}
