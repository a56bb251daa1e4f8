/**
 * loadCity: the committed Kunming package loads completely, and a broken package is refused with an error naming
 * the file and the reason.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { booleanPointInPolygon, point } from '@turf/turf';
import type { Position } from 'geojson';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GeodataLoadError, loadCity } from '../../server/geodata/load';
import type { CityGeodata } from '../../server/geodata/types';

const KUNMING = 'geodata/kunming';

describe('loading the Kunming package', () => {
  let city: CityGeodata;
  beforeAll(async () => { city = await loadCity(KUNMING); });

  it('holds the five core districts, 57 streets, 560 communities and about 5,000 grids', () => {
    const count = (level: string) => [...city.areas.values()].filter((a) => a.level === level).length;
    expect(count('district')).toBe(5);
    expect(count('street')).toBe(57);
    expect(count('community')).toBe(560);
    expect(city.grids.length).toBeGreaterThan(4500);
    expect(city.grids.length).toBeLessThan(5500);
    expect(city.meta.counts.grid).toBe(city.grids.length);
  });

  it('decodes each grid to WGS84 polygons within its bounding box and chains it to its district', () => {
    for (const grid of city.grids) {
      expect(grid.code).toHaveLength(15);
      const community = city.areas.get(grid.parent)!;
      const street = city.areas.get(community.parent)!;
      const district = city.areas.get(street.parent)!;
      expect(district.level).toBe('district');
      expect(district.parent).toBe('530100');
      const [w, s, e, n] = grid.bbox;
      expect(w).toBeGreaterThan(102);
      expect(e).toBeLessThan(104);
      expect(s).toBeGreaterThan(24);
      expect(n).toBeLessThan(26);
    }
  });

  it('sums households up the hierarchy', () => {
    const district = city.areas.get('530102')!;
    const grids = city.grids.filter((g) => g.code.startsWith('530102'));
    expect(district.households).toBe(grids.reduce((s, g) => s + g.households, 0));
  });

  it('gives every grid a synthetic roster with one secretary and one head', () => {
    for (const grid of city.grids) {
      const staff = city.staff[grid.code]!;
      expect(staff.filter((m) => m.role === 'secretary')).toHaveLength(1);
      expect(staff.filter((m) => m.role === 'head')).toHaveLength(1);
      expect(staff.every((m) => m.synthetic)).toBe(true);
    }
  });

  const inside = (position: Position, code: string) => booleanPointInPolygon(point(position), city.areas.get(code)!.geometry);

  it('places every service centre inside the area it serves, and the city centre inside a district', () => {
    for (const centre of city.serviceCentres) {
      const area = centre.level === 'city'
        ? [...city.areas.values()].find((a) => a.level === 'district' && inside(centre.position, a.code))?.code
        : centre.area;
      expect(area, centre.id).toBeDefined();
      expect(inside(centre.position, area!), centre.id).toBe(true);
    }
  });

  it('places every district and street department inside its jurisdiction', () => {
    for (const d of city.departments.filter((x) => x.jurisdiction !== 'city')) {
      expect(inside(d.position, d.jurisdiction), d.code).toBe(true);
    }
  });

  it('puts no grid on Dianchi, which the water mask covers', () => {
    const water = JSON.parse(readFileSync(join(KUNMING, 'water.geojson'), 'utf8'));
    expect(water.features).toHaveLength(1);
    // Points well inside the lake: 外海 off 海埂, mid-lake, and the southern basin.
    for (const lake of [[102.70, 24.93], [102.69, 24.84], [102.70, 24.73]]) {
      expect(booleanPointInPolygon(point(lake), water.features[0])).toBe(true);
      expect(city.grids.filter((g) => booleanPointInPolygon(point(lake), g.geometry))).toHaveLength(0);
    }
  });

  it('has a city centre, one centre per district, street and community, and departments at every level', () => {
    const centres = (level: string) => city.serviceCentres.filter((c) => c.level === level).length;
    expect(centres('city')).toBe(1);
    expect(centres('district')).toBe(5);
    expect(centres('street')).toBe(57);
    expect(centres('community')).toBe(560);
    expect(centres('station')).toBeGreaterThan(0);
    expect(city.departments.some((d) => d.level === 'city' && d.jurisdiction === 'city')).toBe(true);
    expect(new Set(city.departments.map((d) => d.code)).size).toBe(city.departments.length);
  });
});

describe('refusing a broken package', () => {
  let dir: string;
  const copy = () => { dir = mkdtempSync(join(tmpdir(), 'gridwatch-load-')); cpSync(KUNMING, dir, { recursive: true }); return dir; };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rejection = async (d: string) => {
    try { await loadCity(d); } catch (error) { return error as GeodataLoadError; }
    throw new Error('loadCity accepted a broken package');
  };

  it('names a missing file', async () => {
    unlinkSync(join(copy(), 'staff.json'));
    const error = await rejection(dir);
    expect(error).toBeInstanceOf(GeodataLoadError);
    expect(error.file).toBe(join(dir, 'staff.json'));
    expect(error.message).toMatch(/staff\.json: file is missing/);
  });

  it('names the packages beside a folder that is not one (CITY=hefei for hefei-shushan)', async () => {
    const error = await rejection(join(KUNMING, '..', 'hefei'));
    expect(error).toBeInstanceOf(GeodataLoadError);
    expect(error.message).toMatch(/hefei\/city\.json: file is missing: .*hefei is not a city package; the packages in .*geodata are hefei-shushan, kunming$/);
  });

  it('names a file that is not JSON', async () => {
    writeFileSync(join(copy(), 'departments.geojson'), '{"type": "FeatureCollection", ');
    expect((await rejection(dir)).message).toMatch(/departments\.geojson: is not valid JSON/);
  });

  it('names a grid whose code has the wrong length', async () => {
    const file = join(copy(), 'areas.topo.json');
    const topo = JSON.parse(readFileSync(file, 'utf8'));
    topo.objects.grid.geometries[3].properties.code = '53010200100100';
    writeFileSync(file, JSON.stringify(topo));
    expect((await rejection(dir)).message).toMatch(/areas\.topo\.json: objects\.grid\.geometries\[3\]: "code" must be 15 digits/);
  });

  it('names a missing area level', async () => {
    const file = join(copy(), 'areas.topo.json');
    const topo = JSON.parse(readFileSync(file, 'utf8'));
    delete topo.objects.street;
    writeFileSync(file, JSON.stringify(topo));
    expect((await rejection(dir)).message).toMatch(/objects\.street is missing/);
  });

  it('names a department of an unknown kind', async () => {
    const file = join(copy(), 'departments.geojson');
    const fc = JSON.parse(readFileSync(file, 'utf8'));
    fc.features[2].properties.kind = 'weather';
    writeFileSync(file, JSON.stringify(fc));
    expect((await rejection(dir)).message).toMatch(/departments\.geojson: features\[2\]: "kind" "weather" is not a known department kind/);
  });

  it('names a city file with a non-WGS84 CRS', async () => {
    const file = join(copy(), 'city.json');
    const meta = JSON.parse(readFileSync(file, 'utf8'));
    meta.crs = 'gcj02';
    writeFileSync(file, JSON.stringify(meta));
    expect((await rejection(dir)).message).toMatch(/city\.json: field "crs" must be "wgs84"/);
  });

  it('names a staff entry for a grid the package does not have', async () => {
    const file = join(copy(), 'staff.json');
    const staff = JSON.parse(readFileSync(file, 'utf8'));
    staff['530199999999999'] = [];
    writeFileSync(file, JSON.stringify(staff));
    expect((await rejection(dir)).message).toMatch(/staff\.json: key 530199999999999 is not a grid code/);
  });
});
