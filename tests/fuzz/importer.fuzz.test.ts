/**
 * Fuzzing the geodata importer with broken input: 10k broken GeoJSON grid layers (truncated text, junk documents,
 * one feature with a missing / mistyped / malformed / duplicated code, or a null, wrong-type, empty or non-numeric
 * geometry) and 10k broken shapefiles (truncated .shp, zip or .dbf, a missing .dbf, a bad shape type, a projected
 * .prj). Each import is refused, with an ImportInputError naming the file, or a validator problem at error
 * severity; nothing is written where the package would go, no staging folder is left, and nothing crashes.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Polygon } from 'geojson';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportInputError, importCity, parseImportArgs } from '../../tools/geodata/importer/index.js';
import { makePackageFixture } from '../fixtures/geodata/package-fixture.js';
import { writeShapefile, zipShapefile, type ShapefileField } from '../fixtures/geodata/shapefile-writer.js';

const root = mkdtempSync(join(tmpdir(), 'gridwatch-import-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const grids = makePackageFixture().areas.grid;
const validCollection = () => ({ type: 'FeatureCollection', features: structuredClone(grids) as unknown as Array<Record<string, unknown>> });

/** One import; asserts it was refused cleanly and left nothing behind. */
async function expectRefused(file: string, extra: string[] = []): Promise<void> {
  const out = join(root, 'out', 'city');
  const options = parseImportArgs(['--out', out, '--crs', 'wgs84', '--grids', file, '--code-field', 'code', '--name-field', 'name', '--parent-field', 'parent', '--households-field', 'households', ...extra]);
  try {
    const result = await importCity(options);
    expect(result.ok).toBe(false);
    const errors = result.problems.filter((p) => p.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const problem of errors) expect(problem.message.length).toBeGreaterThan(0);
  } catch (err) {
    if (!(err instanceof ImportInputError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
  expect(existsSync(out)).toBe(false);
  if (existsSync(join(root, 'out'))) expect(readdirSync(join(root, 'out'))).toEqual([]);
}

const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const badCode = fc.oneof(wrongType, fc.constant(''), fc.stringMatching(/^[0-9a-z]{0,20}$/).filter((s) => !/^\d{15}$/.test(s)));
const badGeometry = fc.oneof(
  fc.constant(null),
  fc.constant({ type: 'Point', coordinates: [102.71, 25.01] }),
  fc.constant({ type: 'LineString', coordinates: [[102.7, 25], [102.71, 25.01]] }),
  fc.constant({ type: 'Polygon', coordinates: [] }),
  fc.constant({ type: 'Polygon', coordinates: [[[102.7, 25], [102.71, 25]]] }),
  fc.constant({ type: 'Polygon', coordinates: [[['a', 'b'], ['c', 'd'], ['e', 'f'], ['a', 'b']]] }),
  fc.constant({ type: 'Polygon', coordinates: [[[null, null], [null, null], [null, null], [null, null]]] }),
  fc.constant({ type: 'Polygon', coordinates: 'POLYGON((102.7 25, 102.71 25))' }),
  fc.constant({ type: 'Polygon' }),
  fc.record({ type: fc.string({ maxLength: 12 }).filter((s) => s !== 'Polygon' && s !== 'MultiPolygon'), coordinates: fc.anything({ maxDepth: 2 }) }),
);

/** GeoJSON text that must be refused. */
const brokenGeoJson: fc.Arbitrary<string> = fc.oneof(
  // truncated anywhere before its end: never valid JSON
  fc.integer({ min: 0, max: JSON.stringify(validCollection()).length - 1 }).map((cut) => JSON.stringify(validCollection()).slice(0, cut)),
  fc.anything({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
  fc.record({ type: fc.constant('FeatureCollection'), features: wrongType }).map((v) => JSON.stringify(v)),
  fc.tuple(fc.nat(grids.length - 1), badCode).map(([i, code]) => {
    const collection = validCollection();
    const props = (collection.features[i] as { properties: Record<string, unknown> }).properties;
    if (code === null) delete props.code;
    else props.code = code;
    return JSON.stringify(collection);
  }),
  fc.tuple(fc.nat(grids.length - 1), fc.nat(grids.length - 1)).filter(([a, b]) => a !== b).map(([a, b]) => {
    const collection = validCollection();
    const props = (i: number) => (collection.features[i] as { properties: Record<string, unknown> }).properties;
    props(a).code = props(b).code; // a duplicated code
    return JSON.stringify(collection);
  }),
  fc.tuple(fc.nat(grids.length - 1), badGeometry).map(([i, geometry]) => {
    const collection = validCollection();
    (collection.features[i] as Record<string, unknown>).geometry = geometry;
    return JSON.stringify(collection);
  }),
);

const FIELDS: ShapefileField[] = [
  { name: 'code', type: 'C', length: 15 },
  { name: 'name', type: 'C', length: 40 },
  { name: 'parent', type: 'C', length: 12 },
  { name: 'households', type: 'N', length: 6 },
];
const shapefileParts = () =>
  writeShapefile('grids', FIELDS, grids.map((g) => ({ geometry: g.geometry as Polygon, attributes: { code: String(g.properties.code), name: String(g.properties.name), parent: String(g.properties.parent), households: Number(g.properties.households) } })), { encoding: 'utf8' });
const PROJECTED_PRJ = 'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 102E",GEOGCS["China Geodetic Coordinate System 2000"]]';

/** Shapefile zips that must be refused. */
const brokenShapefile: fc.Arbitrary<() => Promise<Buffer>> = fc.oneof(
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((f) => async () => {
    const parts = shapefileParts();
    parts['grids.shp'] = (parts['grids.shp'] as Buffer).subarray(0, Math.floor(f * (parts['grids.shp'] as Buffer).length));
    return zipShapefile(parts);
  }),
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((f) => async () => {
    const zip = await zipShapefile(shapefileParts());
    return zip.subarray(0, Math.floor(f * zip.length));
  }),
  fc.constantFrom('grids.dbf', 'grids.shp').map((missing) => async () => {
    const parts = shapefileParts();
    delete parts[missing];
    return zipShapefile(parts);
  }),
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).filter((t) => t !== 5 && t !== 15 && t !== 25).map((shapeType) => async () => {
    const parts = shapefileParts();
    const shp = Buffer.from(parts['grids.shp'] as Buffer);
    shp.writeInt32LE(shapeType, 32);
    for (let offset = 100; offset + 12 <= shp.length; ) {
      const length = shp.readInt32BE(offset + 4) * 2;
      shp.writeInt32LE(shapeType, offset + 8);
      offset += 8 + length;
    }
    parts['grids.shp'] = shp;
    return zipShapefile(parts);
  }),
  fc.integer({ min: 0, max: grids.length - 1 }).map((keep) => async () => {
    const parts = shapefileParts();
    const dbf = Buffer.from(parts['grids.dbf'] as Buffer);
    dbf.writeUInt32LE(keep, 4); // the .dbf now claims fewer records than the .shp has shapes
    parts['grids.dbf'] = dbf;
    return zipShapefile(parts);
  }),
  fc.constant(async () => zipShapefile({ ...shapefileParts(), 'grids.prj': Buffer.from(PROJECTED_PRJ) })),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => async () => Buffer.from(bytes)),
);

describe('fuzzing the geodata importer', () => {
  it('refuses 10,000 broken GeoJSON grid layers with a named problem and writes nothing', async () => {
    const file = join(root, 'grids.geojson');
    await fc.assert(
      fc.asyncProperty(brokenGeoJson, async (text) => {
        writeFileSync(file, text);
        await expectRefused(file);
      }),
      { numRuns: 10_000 },
    );
  }, 240_000);

  it('refuses 10,000 broken shapefiles with a named problem and writes nothing', async () => {
    const file = join(root, 'grids.zip');
    await fc.assert(
      fc.asyncProperty(brokenShapefile, async (make) => {
        writeFileSync(file, await make());
        await expectRefused(file);
      }),
      { numRuns: 10_000 },
    );
  }, 240_000);
});
