import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import gcoord from 'gcoord';
import type { MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import { afterAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../tools/geodata/importer/build.js';
import { ImportInputError, importCity, parseImportArgs } from '../../tools/geodata/importer/index.js';
import { validateCityPackage } from '../../tools/geodata/validate/index.js';
import { featureByCode, makePackageFixture, rectangle, type PackageFixture } from '../fixtures/geodata/package-fixture.js';
import { writeShapefile, zipShapefile, type ShapefileField } from '../fixtures/geodata/shapefile-writer.js';

const root = mkdtempSync(join(tmpdir(), 'gridwatch-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FIELDS: ShapefileField[] = [
  { name: 'WGBM', type: 'C', length: 15 },
  { name: 'WGMC', type: 'C', length: 40 },
  { name: 'SQBM', type: 'C', length: 12 },
  { name: 'SQMC', type: 'C', length: 40 },
  { name: 'HS', type: 'N', length: 6 },
];

const toGcj02 = (g: Polygon): Polygon => ({
  type: 'Polygon',
  coordinates: g.coordinates.map((ring) => ring.map(([lon, lat]) => gcoord.transform([lon!, lat!] as [number, number], gcoord.WGS84, gcoord.GCJ02))),
});

/** The fixture's 16 grids as a zipped GCJ-02 shapefile with GBK names, as a city's GIS team would export them. */
async function gridsZip(name: string, mutate: (pkg: PackageFixture) => void = () => {}): Promise<string> {
  const pkg = makePackageFixture();
  mutate(pkg);
  const records = pkg.areas.grid.map((g, i) => ({
    geometry: toGcj02(g.geometry as Polygon),
    attributes: {
      WGBM: String(g.properties.code),
      WGMC: `翠湖第${i + 1}网格`,
      SQBM: String(g.properties.parent),
      SQMC: `翠湖西路社区${String(g.properties.parent).slice(-1)}`,
      HS: 280 + i,
    },
  }));
  const path = join(root, `${name}.zip`);
  writeFileSync(path, await zipShapefile(writeShapefile('网格', FIELDS, records)));
  return path;
}

const args = (out: string, grids: string, extra: string[] = []) =>
  parseImportArgs(['--out', out, '--crs', 'gcj02', '--grids', grids, '--code-field', 'WGBM', '--name-field', 'WGMC', '--parent-field', 'SQBM', '--households-field', 'HS', '--community-name-field', 'SQMC', ...extra]);

function readGrids(dir: string) {
  const topo = JSON.parse(readFileSync(join(dir, 'areas.topo.json'), 'utf8'));
  return {
    grids: feature(topo, topo.objects.grid) as unknown as { features: Array<{ properties: Record<string, unknown>; geometry: Polygon | MultiPolygon }> },
    communities: feature(topo, topo.objects.community) as unknown as { features: Array<{ properties: Record<string, unknown> }> },
  };
}

describe('importCity', () => {
  it('imports a zipped GCJ-02 shapefile with GBK names, dissolving communities, streets and districts from the grids', async () => {
    const out = join(root, 'out', 'demo');
    const result = await importCity(args(out, await gridsZip('good')));
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.notes).toContain('good.zip: attributes decoded as gbk (.cpg)');
    expect(validateCityPackage(out)).toEqual([]);
    const meta = JSON.parse(readFileSync(join(out, 'city.json'), 'utf8'));
    expect(meta.counts).toEqual({ district: 1, street: 2, community: 4, grid: 16 });
    expect(meta.code).toBe('530100');
    const { grids, communities } = readGrids(out);
    const first = grids.features.find((f) => f.properties.code === '530102001001001')!;
    expect(first.properties).toMatchObject({ name: '翠湖第1网格', parent: '530102001001', households: 280 });
    expect(communities.features.map((f) => f.properties.name).sort()).toEqual(['翠湖西路社区1', '翠湖西路社区1', '翠湖西路社区2', '翠湖西路社区2']);
    // converted back to WGS84: the fixture's corner 102.70, 25.015 within a metre (1e-5° ≈ 1 m)
    const corners = (first.geometry as Polygon).coordinates[0]!;
    expect(corners.some(([lon, lat]) => Math.abs(lon! - 102.7) < 1e-5 && Math.abs(lat! - 25.015) < 1e-5)).toBe(true);
    expect(readdirSync(join(root, 'out'))).toEqual(['demo']);
  });

  it('refuses a package the validator rejects, with the same message, and writes nothing', async () => {
    const out = join(root, 'refused', 'demo');
    const grids = await gridsZip('overlap', (pkg) => {
      featureByCode(pkg, 'grid', '530102001001001').geometry = rectangle(102.7, 25.015, 102.711, 25.02);
    });
    const result = await importCity(args(out, grids));
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/^grid 530102001001001 overlaps 530102001001002 by 5\d,\d{3} m²$/));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(root, 'refused'))).toEqual([]);
  });

  it('reports a gap between grids that dissolving turned into a hole of the upper levels', async () => {
    const grids = await gridsZip('inner-gap', (pkg) => {
      // shrink an inner grid (lon 102.71–102.72, lat 25.005–25.01) by 0.001° on every side
      featureByCode(pkg, 'grid', '530102001002002').geometry = rectangle(102.711, 25.006, 102.719, 25.009);
    });
    const result = await importCity(args(join(root, 'inner-gap'), grids));
    expect(result.ok).toBe(false);
    // the 0.01° × 0.005° cell minus the 0.008° × 0.003° grid left: ≈ 560,215 − 268,903 m², give or take the GCJ-02 round trip
    expect(result.problems.map((p) => p.message)).toEqual([
      // the cell touches the street's eastern border, so only the district encloses the gap
      expect.stringMatching(/^district 530102 encloses a gap of 291,3\d\d m² that no district fills \(a hole at 102\.710000, 25\.010000\): a gap, or an enclave of an area outside the package$/),
    ]);
    expect(result.problems[0]?.severity).toBe('error');
    // a city that means it (an enclave of a district it does not import) can say so
    const allowed = await importCity(args(join(root, 'inner-gap-allowed'), grids, ['--allow-enclaves']));
    expect(allowed.ok).toBe(true);
    expect(allowed.problems.map((p) => p.severity)).toEqual(['warning']);
  });

  it('names a mapped field that the layer does not have, listing the fields it does', async () => {
    const grids = await gridsZip('fields');
    await expect(importCity(args(join(root, 'x'), grids, ['--grid-code-field', 'GRID_ID']))).rejects.toThrow(
      'fields.zip: field "GRID_ID" for the grid code is not in the layer (fields: WGBM, WGMC, SQBM, SQMC, HS)',
    );
  });

  it('imports GeoJSON layers given for every level, keeping their names', async () => {
    const pkg = makePackageFixture();
    const files: Record<string, string> = {};
    for (const level of ['grid', 'community', 'street', 'district'] as const) {
      files[level] = join(root, `${level}.geojson`);
      const features = pkg.areas[level].map((f) => ({ ...f, properties: { BM: f.properties.code, MC: `名称${f.properties.code}`, SJ: f.properties.parent } }));
      writeFileSync(files[level]!, JSON.stringify({ type: 'FeatureCollection', features }));
    }
    const out = join(root, 'geojson-city');
    const result = await importCity(
      parseImportArgs(['--out', out, '--crs', 'wgs84', '--grids', files.grid!, '--communities', files.community!, '--streets', files.street!, '--districts', files.district!, '--code-field', 'BM', '--name-field', 'MC', '--parent-field', 'SJ', '--city-code', '530100']),
    );
    expect(result.problems).toEqual([]);
    expect(readGrids(out).communities.features.map((f) => f.properties.name)).toContain('名称530102001001');
  });

  it('converts each declared CRS to WGS84: GCJ-02 and BD-09 back to within a metre, CGCS2000 as is', () => {
    const wgs84: [number, number] = [102.7123, 25.0412];
    for (const [crs, from] of [['gcj02', gcoord.GCJ02], ['bd09', gcoord.BD09]] as const) {
      const shifted = gcoord.transform(wgs84, gcoord.WGS84, from);
      // the shift itself is hundreds of metres, so the test would notice a missing conversion
      expect(Math.hypot(shifted[0] - wgs84[0], shifted[1] - wgs84[1])).toBeGreaterThan(1e-3);
      const [lon, lat] = toWgs84(crs, shifted);
      expect(Math.hypot(lon! - wgs84[0], lat! - wgs84[1])).toBeLessThan(1e-5);
    }
    expect(toWgs84('cgcs2000', wgs84)).toEqual(wgs84);
  });

  it('rejects bad options naming the option', () => {
    expect(() => parseImportArgs(['--out', 'x', '--crs', 'utm', '--grids', 'g.zip', '--code-field', 'A'])).toThrow(
      'option --crs must be one of wgs84, cgcs2000, gcj02, bd09, got "utm"',
    );
    expect(() => parseImportArgs(['--out', 'x', '--crs', 'wgs84', '--grids', 'g.zip'])).toThrow(ImportInputError);
    expect(() => parseImportArgs(['--out', 'x', '--crs', 'wgs84', '--grids', 'g.zip', '--code-field', 'A', '--colour', 'red'])).toThrow('unknown option --colour');
  });

  it('exits 1 from the command line when refused and 0 when written', async () => {
    const grids = await gridsZip('cli-overlap', (pkg) => {
      featureByCode(pkg, 'grid', '530102001001001').geometry = rectangle(102.7, 25.015, 102.711, 25.02);
    });
    const cli = (out: string, file: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'tools/geodata/import.ts', '--out', out, '--crs', 'gcj02', '--grids', file, '--code-field', 'WGBM', '--parent-field', 'SQBM'], { encoding: 'utf8' });
    const refused = cli(join(root, 'cli', 'bad'), grids);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/error +\[overlap\] grid 530102001001001 overlaps 530102001001002 by/);
    expect(refused.stderr).toContain('REFUSED');
    const written = cli(join(root, 'cli', 'good'), await gridsZip('cli-good'));
    expect(written.stdout).toContain('OK: wrote');
    expect(written.status).toBe(0);
  });
});
