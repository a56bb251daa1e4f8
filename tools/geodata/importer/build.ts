/**
 * Turns input layers into the areas of a city package: reads the mapped fields, converts the declared CRS to WGS84
 * with gcoord, dissolves missing upper levels from the grids (topojson merge over shared arcs, so a dissolved
 * community is exactly the union of its grids), and writes the package files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point, Polygon, Position } from 'geojson';
import gcoord from 'gcoord';
import { merge } from 'topojson-client';
import { topology } from 'topojson-server';
import type { GeometryObject, Topology } from 'topojson-specification';
import { AREA_LEVELS, CODE_LENGTH, type AreaLevel, type AreaProperties, type CityMeta } from '../../../server/geodata/types.js';
import type { ImportOptions, InputCrs, LevelFields } from './options.js';
import { ImportInputError, readLayer, type Layer } from './read-layer.js';

export type AreaJson = Feature<Polygon | MultiPolygon, AreaProperties>;

/** One position to WGS84. WGS84 and CGCS2000 agree to centimetres, so CGCS2000 is taken as is. */
export function toWgs84(crs: InputCrs, p: Position): Position {
  if (crs === 'wgs84' || crs === 'cgcs2000') return [p[0]!, p[1]!];
  const from = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  const [lon, lat] = gcoord.transform([p[0]!, p[1]!] as [number, number], from, gcoord.WGS84);
  return [lon, lat];
}

function convertGeometry<G extends Polygon | MultiPolygon | Point>(crs: InputCrs, g: G): G {
  const ring = (r: Position[]) => r.map((p) => toWgs84(crs, p));
  if (g.type === 'Point') return { type: 'Point', coordinates: toWgs84(crs, g.coordinates) } as G;
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: g.coordinates.map(ring) } as G;
  return { type: 'MultiPolygon', coordinates: (g as MultiPolygon).coordinates.map((poly) => poly.map(ring)) } as G;
}

/** Why a Polygon / MultiPolygon's coordinates are unusable (rings of ≥ 4 [lon, lat] number pairs), or undefined. */
function coordinatesProblem(g: Polygon | MultiPolygon): string | undefined {
  const polygons: unknown = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (!Array.isArray(polygons) || polygons.length === 0) return `${g.type} coordinates must be a non-empty array`;
  for (const rings of polygons) {
    if (!Array.isArray(rings) || rings.length === 0) return `${g.type} coordinates must hold at least one ring`;
    for (const ring of rings) {
      if (!Array.isArray(ring) || ring.length < 4) return 'every ring must have at least 4 positions';
      for (const p of ring) {
        if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return `a position is not a [longitude, latitude] pair of numbers: ${JSON.stringify(p)?.slice(0, 40)}`;
      }
    }
  }
  return undefined;
}

/** A code attribute as a string: DBF numeric fields arrive as numbers (15 digits fit a double exactly). */
function codeString(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value).toFixed(0);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

interface Collected {
  areas: Record<AreaLevel, AreaJson[]>;
  notes: string[];
}

/** Reads and maps every level; throws ImportInputError listing every bad feature. */
export async function collectAreas(options: ImportOptions): Promise<Collected> {
  const notes: string[] = [];
  const errors: string[] = [];
  const areas: Record<AreaLevel, AreaJson[]> = { district: [], street: [], community: [], grid: [] };
  const gridLayer = await readLayer(options.layers.grid!, options.encoding);
  notes.push(...gridLayer.notes);
  areas.grid = mapLayer('grid', gridLayer, options, errors);
  const given: Partial<Record<AreaLevel, AreaJson[]>> = {};
  for (const level of ['community', 'street', 'district'] as const) {
    const file = options.layers[level];
    if (!file) continue;
    const layer = await readLayer(file, options.encoding);
    notes.push(...layer.notes);
    given[level] = mapLayer(level, layer, options, errors);
  }
  if (errors.length > 0) throw new ImportInputError(errors.join('\n'));
  dissolveMissingLevels(areas, given, gridLayer, options, notes);
  return { areas, notes };
}

function mapLayer(level: AreaLevel, layer: Layer, options: ImportOptions, errors: string[]): AreaJson[] {
  const fields = options.fields[level];
  const out: AreaJson[] = [];
  const missingField = (field: string) => `${layer.file}: field "${field}" for the ${level} ${fieldKind(fields, field)} is not in the layer (fields: ${layer.fields.join(', ') || 'none'})`;
  for (const field of [fields.code, fields.name, fields.parent, fields.households, fields.population])
    if (field !== undefined && layer.features.length > 0 && !layer.fields.includes(field)) {
      errors.push(missingField(field));
      return out;
    }
  for (const f of layer.features) {
    const where = `${layer.file} feature #${f.index}`;
    const code = codeString(f.properties[fields.code]);
    if (code === undefined) {
      errors.push(`${where}: field "${fields.code}" (the ${level} code) is empty`);
      continue;
    }
    const g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
      errors.push(`${where} (${level} ${code}): geometry must be a Polygon or MultiPolygon, got ${g?.type ?? 'none'}`);
      continue;
    }
    const shapeProblem = coordinatesProblem(g);
    if (shapeProblem) {
      errors.push(`${where} (${level} ${code}): ${shapeProblem}`);
      continue;
    }
    const name = fields.name ? String(f.properties[fields.name] ?? '').trim() : '';
    const parent = fields.parent ? codeString(f.properties[fields.parent]) : undefined;
    out.push({
      type: 'Feature',
      geometry: convertGeometry(options.crs, g as Polygon | MultiPolygon),
      properties: {
        code,
        name: name || code,
        level,
        parent: parent ?? '',
        households: (fields.households && count(f.properties[fields.households])) || 0,
        population: (fields.population && count(f.properties[fields.population])) || 0,
      },
    });
  }
  return out;
}

function fieldKind(fields: LevelFields, field: string): string {
  return Object.entries(fields).find(([, v]) => v === field)?.[0] ?? 'field';
}

const PARENT_LEVEL: Record<AreaLevel, AreaLevel | null> = { district: null, street: 'district', community: 'street', grid: 'community' };
const CHILD_LEVEL: Record<AreaLevel, AreaLevel | null> = { district: 'street', street: 'community', community: 'grid', grid: null };

/**
 * Fills every level above grids: given layers as they are, missing ones dissolved from the grids. A grid's ancestor
 * at each level follows the parent fields where given, else the code prefix (the national coding rule).
 */
function dissolveMissingLevels(
  areas: Record<AreaLevel, AreaJson[]>,
  given: Partial<Record<AreaLevel, AreaJson[]>>,
  gridLayer: Layer,
  options: ImportOptions,
  notes: string[],
): void {
  const gridTopology = topology({ grid: { type: 'FeatureCollection', features: areas.grid } as FeatureCollection }) as unknown as Topology;
  const gridGeometries = (gridTopology.objects.grid as { geometries: GeometryObject[] }).geometries;
  const gridFeatureByIndex = areas.grid;
  // code of each grid's ancestor, level by level upwards
  let ancestorOfGrid = areas.grid.map((g) => g.properties.code);
  const parentOf = new Map<string, string>();
  for (const g of areas.grid) if (g.properties.parent) parentOf.set(g.properties.code, g.properties.parent);
  for (const level of ['community', 'street', 'district'] as const) {
    const child = CHILD_LEVEL[level]!;
    const length = CODE_LENGTH[level];
    ancestorOfGrid = ancestorOfGrid.map((code) => parentOf.get(code) ?? code.slice(0, length));
    const layer = given[level];
    if (layer) {
      areas[level] = layer;
      for (const a of layer) if (a.properties.parent) parentOf.set(a.properties.code, a.properties.parent);
      continue;
    }
    const groups = new Map<string, number[]>();
    ancestorOfGrid.forEach((code, i) => {
      const list = groups.get(code);
      if (list) list.push(i);
      else groups.set(code, [i]);
    });
    const nameField = options.fields[level].name;
    for (const [code, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const geometry = merge(gridTopology, members.map((i) => gridGeometries[i]!) as never) as MultiPolygon;
      const named = nameField ? String(gridLayer.features[members[0]!]?.properties[nameField] ?? '').trim() : '';
      const sum = (k: 'households' | 'population') => members.reduce((s, i) => s + gridFeatureByIndex[i]!.properties[k], 0);
      areas[level].push({
        type: 'Feature',
        geometry: geometry.coordinates.length === 1 ? { type: 'Polygon', coordinates: geometry.coordinates[0]! } : geometry,
        properties: { code, name: named || code, level, parent: '', households: sum('households'), population: sum('population') },
      });
    }
    notes.push(`${level}: ${areas[level].length} dissolved from the ${child === 'grid' ? 'grids' : 'grids (through ' + child + ')'}${nameField ? `, names from grid field "${nameField}"` : ', named by code'}`);
  }
  // fill empty parents by the coding rule, and totals of given layers without household fields
  for (const level of AREA_LEVELS) {
    const parentLevel = PARENT_LEVEL[level];
    for (const a of areas[level]) {
      if (!a.properties.parent) a.properties.parent = parentLevel ? a.properties.code.slice(0, CODE_LENGTH[parentLevel]) : '';
    }
  }
}

/** The 6-digit city code: given, or the districts' first 4 digits + 00 (GB/T 2260). */
export function cityCodeOf(areas: Record<AreaLevel, AreaJson[]>, given?: string): string {
  if (given) return given;
  const district = areas.district[0]?.properties.code ?? '';
  return /^\d{6}$/.test(district) ? `${district.slice(0, 4)}00` : '000000';
}

/** Writes every package file into `dir` (which must exist). */
export function writePackage(dir: string, id: string, areas: Record<AreaLevel, AreaJson[]>, options: ImportOptions, notes: string[]): void {
  const cityCode = cityCodeOf(areas, options.cityCode);
  for (const d of areas.district) d.properties.parent = cityCode;
  const bbox = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number];
  for (const g of areas.grid) {
    const rings = g.geometry.type === 'Polygon' ? g.geometry.coordinates : g.geometry.coordinates.flat();
    for (const ring of rings)
      for (const [x, y] of ring) {
        bbox[0] = Math.min(bbox[0], x!);
        bbox[1] = Math.min(bbox[1], y!);
        bbox[2] = Math.max(bbox[2], x!);
        bbox[3] = Math.max(bbox[3], y!);
      }
  }
  const center: [number, number] = [round6((bbox[0] + bbox[2]) / 2), round6((bbox[1] + bbox[3]) / 2)];
  const collection = (level: AreaLevel) => ({ type: 'FeatureCollection', features: areas[level] }) as FeatureCollection;
  const topo = topology(
    { district: collection('district'), street: collection('street'), community: collection('community'), grid: collection('grid') },
    options.quantization ?? 1e6,
  );
  const dissolved = AREA_LEVELS.filter((l) => l !== 'grid' && !options.layers[l]);
  const meta: CityMeta = {
    id,
    name: options.name ?? id,
    nameEn: options.nameEn ?? id,
    code: cityCode,
    crs: 'wgs84',
    center,
    view: { center, zoom: 12, bounds: bbox.map(round6) as [number, number, number, number] },
    timezone: 'Asia/Shanghai',
    synthetic: { grids: false, ...Object.fromEntries(dissolved.map((l) => [l, `dissolved from grids`])) },
    provenance: AREA_LEVELS.filter((l) => options.layers[l]).map((l) => ({
      what: `${l} polygons`,
      source: options.layers[l]!,
      licence: options.licence ?? 'supplied by the city',
      note: `imported with geodata:import from ${options.crs}${options.crs === 'gcj02' || options.crs === 'bd09' ? ', converted to WGS84 with gcoord' : ''}`,
    })),
    counts: { district: areas.district.length, street: areas.street.length, community: areas.community.length, grid: areas.grid.length },
  };
  writeFileSync(join(dir, 'city.json'), `${JSON.stringify(meta, null, 2)}\n`);
  writeFileSync(join(dir, 'areas.topo.json'), JSON.stringify(topo));
  writeFileSync(join(dir, 'service-centres.geojson'), JSON.stringify(pointsFile(options.serviceCentres, options.crs)));
  writeFileSync(join(dir, 'departments.geojson'), JSON.stringify(pointsFile(options.departments, options.crs)));
  writeFileSync(join(dir, 'water.geojson'), JSON.stringify(waterFile(options.water, options.crs)));
  writeFileSync(join(dir, 'staff.json'), '{}\n');
  notes.push(`wrote ${meta.counts.district} districts, ${meta.counts.street} streets, ${meta.counts.community} communities, ${meta.counts.grid} grids`);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function readCollection(path: string): FeatureCollection {
  let json: { type?: unknown; features?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ImportInputError(`${path}: not readable GeoJSON (${(err as Error).message})`);
  }
  if (json?.type !== 'FeatureCollection' || !Array.isArray(json.features)) throw new ImportInputError(`${path}: not a GeoJSON FeatureCollection`);
  return json as FeatureCollection;
}

/** Service centres or departments: properties as in server/geodata/types.ts, positions converted to WGS84. */
function pointsFile(path: string | undefined, crs: InputCrs): FeatureCollection {
  if (!path) return { type: 'FeatureCollection', features: [] };
  const fc = readCollection(path);
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f, i) => {
      if (f.geometry?.type !== 'Point') throw new ImportInputError(`${path} feature #${i}: geometry must be a Point`);
      return { ...f, geometry: convertGeometry(crs, f.geometry) };
    }),
  };
}

function waterFile(path: string | undefined, crs: InputCrs): FeatureCollection {
  if (!path) return { type: 'FeatureCollection', features: [] };
  const fc = readCollection(path);
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f, i) => {
      const g = f.geometry as Geometry | null;
      if (g?.type !== 'Polygon' && g?.type !== 'MultiPolygon') throw new ImportInputError(`${path} feature #${i}: geometry must be a Polygon or MultiPolygon`);
      return { ...f, geometry: convertGeometry(crs, g) };
    }),
  };
}
