/**
 * Loads a city package (geodata/<city>/, format in geodata/README.md) into memory: decodes the quantised TopoJSON
 * with topojson-client and indexes every area by code. Any missing or malformed file fails with a
 * {@link GeodataLoadError} that names the file and the reason, so a bad package stops start-up with a clear message
 * rather than serving a half-loaded city.
 *
 * @example
 * ```ts
 * const city = await loadCity('geodata/kunming');
 * city.grids.length;                      // ≈ 4,900
 * city.areas.get('530102001')?.name;      // 华山街道
 * city.staff['530102001001001']?.[0];     // { role: 'secretary', … , synthetic: true }
 * ```
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { feature } from 'topojson-client';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import {
  AREA_LEVELS, CODE_LENGTH, DEPARTMENT_KINDS,
  type Area, type AreaLevel, type CityGeodata, type CityMeta, type DepartmentProperties, type ServiceCentreProperties, type StaffMember,
} from './types';

/** The city packages in the folder that holds `dir` (for a CITY that names none), as a clause of a message. */
async function packagesBeside(dir: string): Promise<string> {
  const parent = dirname(dir);
  const names = await readdir(parent).catch(() => [] as string[]);
  const packages: string[] = [];
  for (const name of names.sort()) {
    if (name === basename(dir)) continue;
    if (await stat(join(parent, name, 'city.json')).then((s) => s.isFile(), () => false)) packages.push(name);
  }
  return packages.length > 0 ? `; the packages in ${parent} are ${packages.join(', ')}` : '';
}

/** A city package file is missing or broken. `file` is the path, `reason` says what is wrong. */
export class GeodataLoadError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'GeodataLoadError';
  }
}

type Json = Record<string, unknown>;

async function readJson(dir: string, name: string): Promise<unknown> {
  const file = join(dir, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GeodataLoadError(file, code === 'ENOENT' ? 'file is missing' : `cannot be read (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GeodataLoadError(file, `is not valid JSON (${(error as Error).message})`);
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLonLat(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length >= 2 && Number.isFinite(v[0]) && Number.isFinite(v[1]) &&
    Math.abs(v[0] as number) <= 180 && Math.abs(v[1] as number) <= 90;
}

function checkMeta(file: string, v: unknown): CityMeta {
  if (!isObject(v)) throw new GeodataLoadError(file, 'must be a JSON object');
  for (const key of ['id', 'name', 'code'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') throw new GeodataLoadError(file, `field "${key}" must be a non-empty string`);
  }
  if (v.crs !== 'wgs84') throw new GeodataLoadError(file, `field "crs" must be "wgs84", got ${JSON.stringify(v.crs)}`);
  if (!isLonLat(v.center)) throw new GeodataLoadError(file, 'field "center" must be [lon, lat]');
  const view = v.view;
  if (!isObject(view) || !isLonLat(view.center) || typeof view.zoom !== 'number' || !Array.isArray(view.bounds) || view.bounds.length !== 4) {
    throw new GeodataLoadError(file, 'field "view" must be { center: [lon, lat], zoom: number, bounds: [w, s, e, n] }');
  }
  if (!isObject(v.counts)) throw new GeodataLoadError(file, 'field "counts" must be an object of counts per level');
  return v as unknown as CityMeta;
}

function bboxOf(g: Polygon | MultiPolygon): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const visit = (p: Position) => {
    const x = p[0] as number, y = p[1] as number;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  };
  if (g.type === 'Polygon') g.coordinates.forEach((r) => r.forEach(visit));
  else g.coordinates.forEach((poly) => poly.forEach((r) => r.forEach(visit)));
  return [minX, minY, maxX, maxY];
}

function decodeAreas(file: string, v: unknown, cityCode: string): Map<string, Area> {
  if (!isObject(v) || v.type !== 'Topology' || !Array.isArray(v.arcs) || !isObject(v.objects)) {
    throw new GeodataLoadError(file, 'must be a TopoJSON Topology with "arcs" and "objects"');
  }
  const topology = v as unknown as Topology;
  const areas = new Map<string, Area>();
  for (const level of AREA_LEVELS) {
    const object = topology.objects[level];
    if (!object || object.type !== 'GeometryCollection') {
      throw new GeodataLoadError(file, `objects.${level} is missing or not a GeometryCollection`);
    }
    const collection = object as GeometryCollection;
    collection.geometries.forEach((geometry, index) => {
      const where = `objects.${level}.geometries[${index}]`;
      const p = geometry.properties as Json | undefined;
      if (!isObject(p)) throw new GeodataLoadError(file, `${where} has no properties`);
      const code = p.code;
      if (typeof code !== 'string' || !/^\d+$/.test(code) || code.length !== CODE_LENGTH[level]) {
        throw new GeodataLoadError(file, `${where}: "code" must be ${CODE_LENGTH[level]} digits for a ${level}, got ${JSON.stringify(code)}`);
      }
      if (p.level !== level) throw new GeodataLoadError(file, `${where} (${code}): "level" is ${JSON.stringify(p.level)}, expected "${level}"`);
      if (typeof p.name !== 'string') throw new GeodataLoadError(file, `${where} (${code}): "name" must be a string`);
      if (typeof p.parent !== 'string') throw new GeodataLoadError(file, `${where} (${code}): "parent" must be a string`);
      for (const key of ['households', 'population'] as const) {
        if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) throw new GeodataLoadError(file, `${where} (${code}): "${key}" must be a number`);
      }
      if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
        throw new GeodataLoadError(file, `${where} (${code}): geometry type ${geometry.type}, expected Polygon or MultiPolygon`);
      }
      if (areas.has(code)) throw new GeodataLoadError(file, `${where}: duplicate area code ${code}`);
      let decoded: Feature<Polygon | MultiPolygon>;
      try {
        decoded = feature(topology, geometry) as Feature<Polygon | MultiPolygon>;
      } catch (error) {
        throw new GeodataLoadError(file, `${where} (${code}): cannot decode its arcs (${(error as Error).message})`);
      }
      areas.set(code, {
        code, name: p.name, level: level as AreaLevel, parent: p.parent,
        households: p.households as number, population: p.population as number,
        geometry: decoded.geometry, bbox: bboxOf(decoded.geometry),
      });
    });
  }
  for (const area of areas.values()) {
    const parentKnown = area.level === 'district' ? area.parent === cityCode : areas.has(area.parent);
    if (!parentKnown) throw new GeodataLoadError(file, `${area.level} ${area.code}: parent ${area.parent} is not in the package`);
  }
  return areas;
}

function readPoints<P>(file: string, v: unknown, check: (p: Json, where: string) => P): Array<{ position: Position } & P> {
  if (!isObject(v) || v.type !== 'FeatureCollection' || !Array.isArray(v.features)) {
    throw new GeodataLoadError(file, 'must be a GeoJSON FeatureCollection');
  }
  return v.features.map((f: unknown, index: number) => {
    const where = `features[${index}]`;
    if (!isObject(f) || !isObject(f.geometry) || f.geometry.type !== 'Point' || !isLonLat(f.geometry.coordinates)) {
      throw new GeodataLoadError(file, `${where}: geometry must be a Point with [lon, lat]`);
    }
    if (!isObject(f.properties)) throw new GeodataLoadError(file, `${where}: properties missing`);
    return { position: f.geometry.coordinates as Position, ...check(f.properties, where) };
  });
}

function stringField(file: string, p: Json, key: string, where: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v === '') throw new GeodataLoadError(file, `${where}: "${key}" must be a non-empty string`);
  return v;
}

const CENTRE_LEVELS = new Set(['city', 'district', 'street', 'community', 'station']);
const DEPARTMENT_LEVELS = new Set(['city', 'district', 'street']);
const STAFF_ROLES = new Set(['secretary', 'head', 'worker', 'volunteer']);

/** Loads and checks the city package in `dir`. Rejects with a {@link GeodataLoadError} naming the file and reason. */
export async function loadCity(dir: string): Promise<CityGeodata> {
  const metaFile = join(dir, 'city.json');
  const meta = checkMeta(metaFile, await readJson(dir, 'city.json').catch(async (error: unknown) => {
    if (error instanceof GeodataLoadError && error.reason === 'file is missing') {
      throw new GeodataLoadError(metaFile, `file is missing: ${dir} is not a city package${await packagesBeside(dir)}`);
    }
    throw error;
  }));
  const areasFile = join(dir, 'areas.topo.json');
  const areas = decodeAreas(areasFile, await readJson(dir, 'areas.topo.json'), meta.code);

  const centresFile = join(dir, 'service-centres.geojson');
  const serviceCentres = readPoints<ServiceCentreProperties>(centresFile, await readJson(dir, 'service-centres.geojson'), (p, where) => {
    const level = stringField(centresFile, p, 'level', where);
    if (!CENTRE_LEVELS.has(level)) throw new GeodataLoadError(centresFile, `${where}: "level" ${JSON.stringify(level)} is not one of ${[...CENTRE_LEVELS].join(', ')}`);
    const area = stringField(centresFile, p, 'area', where);
    if (area !== meta.code && !areas.has(area)) throw new GeodataLoadError(centresFile, `${where}: "area" ${area} is not the city or an area of the package`);
    return { id: stringField(centresFile, p, 'id', where), name: stringField(centresFile, p, 'name', where), level: level as ServiceCentreProperties['level'], area };
  });

  const departmentsFile = join(dir, 'departments.geojson');
  const kinds = new Set<string>(DEPARTMENT_KINDS);
  const departments = readPoints<DepartmentProperties>(departmentsFile, await readJson(dir, 'departments.geojson'), (p, where) => {
    const kind = stringField(departmentsFile, p, 'kind', where);
    if (!kinds.has(kind)) throw new GeodataLoadError(departmentsFile, `${where}: "kind" ${JSON.stringify(kind)} is not a known department kind`);
    const level = stringField(departmentsFile, p, 'level', where);
    if (!DEPARTMENT_LEVELS.has(level)) throw new GeodataLoadError(departmentsFile, `${where}: "level" ${JSON.stringify(level)} must be city, district or street`);
    const jurisdiction = stringField(departmentsFile, p, 'jurisdiction', where);
    if (jurisdiction !== 'city' && !areas.has(jurisdiction)) throw new GeodataLoadError(departmentsFile, `${where}: "jurisdiction" ${jurisdiction} is not "city" or an area of the package`);
    return {
      code: stringField(departmentsFile, p, 'code', where), name: stringField(departmentsFile, p, 'name', where),
      kind: kind as DepartmentProperties['kind'], level: level as DepartmentProperties['level'], jurisdiction,
    };
  });

  const waterFile = join(dir, 'water.geojson');
  const water = await readJson(dir, 'water.geojson');
  if (!isObject(water) || water.type !== 'FeatureCollection' || !Array.isArray(water.features)) {
    throw new GeodataLoadError(waterFile, 'must be a GeoJSON FeatureCollection (it may have no features)');
  }

  const staffFile = join(dir, 'staff.json');
  const staffJson = await readJson(dir, 'staff.json');
  if (!isObject(staffJson)) throw new GeodataLoadError(staffFile, 'must be an object of grid code → staff list');
  const staff: Record<string, StaffMember[]> = {};
  for (const [grid, list] of Object.entries(staffJson)) {
    if (areas.get(grid)?.level !== 'grid') throw new GeodataLoadError(staffFile, `key ${grid} is not a grid code of the package`);
    if (!Array.isArray(list)) throw new GeodataLoadError(staffFile, `${grid}: staff must be a list`);
    list.forEach((m: unknown, i: number) => {
      if (!isObject(m) || !STAFF_ROLES.has(m.role as string) || typeof m.name !== 'string' || typeof m.phone !== 'string' || m.synthetic !== true) {
        throw new GeodataLoadError(staffFile, `${grid}[${i}]: must be { role: secretary|head|worker|volunteer, name, phone, synthetic: true }`);
      }
    });
    staff[grid] = list as StaffMember[];
  }

  const grids = [...areas.values()].filter((a) => a.level === 'grid');
  return { dir, meta, areas, grids, serviceCentres, departments, staff };
}
