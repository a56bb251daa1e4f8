import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAcceptable, validateCityPackage, type Problem } from '../../tools/geodata/validate/index.js';
import { LocalProjection, intersectionArea, toPlanar } from '../../tools/geodata/validate/planar.js';
import { seededRandom } from '../fixtures/geodata/synthetic-grids.js';
import { FIXTURE_BOUNDS, featureByCode, makePackageFixture, rectangle, writePackageFixture, type PackageFixture } from '../fixtures/geodata/package-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'gridwatch-validate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function validate(mutate: (pkg: PackageFixture) => void): Problem[] {
  const pkg = makePackageFixture();
  mutate(pkg);
  const dir = join(root, `pkg-${n++}`);
  writePackageFixture(dir, pkg);
  return validateCityPackage(dir);
}
const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const messages = (problems: Problem[]) => errors(problems).map((p) => p.message);

// grid 530102001001001 is the north-west grid of the north-west community: lon 102.70–102.71, lat 25.015–25.02
const NW_GRID = '530102001001001';
const NW_GRID_EAST = '530102001001002';
const { west, north } = FIXTURE_BOUNDS;

describe('validateCityPackage', () => {
  it('passes a package written by the fixture generator, then fails it from the command line once broken', () => {
    const good = join(root, 'cli-good');
    writePackageFixture(good, makePackageFixture());
    const ok = spawnSync(process.execPath, ['--import', 'tsx', 'tools/geodata/check.ts', good], { encoding: 'utf8' });
    expect(ok.stdout).toMatch(/^OK: .*cli-good: 0 error\(s\), 0 warning\(s\); area tolerance 1 m²/m);
    expect(ok.status).toBe(0);
    const bad = join(root, 'cli-bad');
    const pkg = makePackageFixture();
    featureByCode(pkg, 'grid', NW_GRID).geometry = rectangle(west, north - 0.005, west + 0.011, north);
    writePackageFixture(bad, pkg);
    const failed = spawnSync(process.execPath, ['--import', 'tsx', 'tools/geodata/check.ts', bad], { encoding: 'utf8' });
    expect(failed.stdout).toMatch(/^error +\[overlap\] grid 530102001001001 overlaps 530102001001002 by 56,\d{3} m²$/m);
    expect(failed.stdout).toMatch(/^FAILED: .*cli-bad: 1 error\(s\)/m);
    expect(failed.status).toBe(1);
  });

  it('accepts the valid fixture with no problems at all', () => {
    expect(validate(() => {})).toEqual([]);
  });

  it('reports a bowtie grid as a self-crossing, with where it crosses', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID).geometry = {
        type: 'Polygon',
        coordinates: [[[west, north - 0.005], [west + 0.01, north], [west + 0.01, north - 0.005], [west, north], [west, north - 0.005]]],
      };
    });
    const crossing = problems.find((p) => p.rule === 'geometry-crossing');
    expect(crossing?.message).toBe(`grid ${NW_GRID}: boundary crosses itself at 102.705000, 25.017500 (1 crossing; a self-crossing, not a single-point touch)`);
    expect(isAcceptable(problems)).toBe(false);
  });

  it('allows a polygon whose ring touches itself at a single point', () => {
    // two squares of the grid joined at the corner (102.705, 25.0175), traced as one ring that visits it twice
    const problems = validate((pkg) => {
      const g = featureByCode(pkg, 'grid', NW_GRID);
      const [x0, x1, x2] = [west, west + 0.005, west + 0.01];
      const [y0, y1, y2] = [north - 0.005, north - 0.0025, north];
      g.geometry = { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1], [x0, y1], [x0, y0]]] };
    });
    expect(problems.filter((p) => p.rule.startsWith('geometry'))).toEqual([]);
    // the two missing quarters are a gap in the community, measured: 2 × (≈505 m × ≈278 m)
    const gap = problems.find((p) => p.rule === 'gap');
    expect(gap?.ref).toBe('530102001001');
    expect(gap?.amount?.value).toBeGreaterThan(270_000);
    expect(gap?.amount?.value).toBeLessThan(290_000);
  });

  it('reports two overlapping grids with the overlap area in m²', () => {
    const problems = validate((pkg) => {
      // widen the NW grid 0.001° (≈101 m) east over its neighbour: ≈101 m × 556 m ≈ 56,000 m²
      featureByCode(pkg, 'grid', NW_GRID).geometry = rectangle(west, north - 0.005, west + 0.011, north);
    });
    const overlap = problems.find((p) => p.rule === 'overlap');
    expect(overlap?.message).toMatch(new RegExp(`^grid ${NW_GRID} overlaps ${NW_GRID_EAST} by 56,\\d{3} m²$`));
  });

  it('reports a gap among sibling grids, with the uncovered area', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID).geometry = rectangle(west, north - 0.005, west + 0.009, north);
    });
    expect(messages(problems)).toEqual([expect.stringMatching(/^community 530102001001: its 4 grids leave a gap of 56,\d{3} m² \(community 2,\d{3},\d{3} m², covered 2,\d{3},\d{3} m²\), e\.g\. at 102\.709000, 25\.017500 beside grid 530102001001001$/)]);
  });

  it('reports a grid outside its community by the area outside', () => {
    const problems = validate((pkg) => {
      // move the NW grid one grid width west, out of the district altogether
      featureByCode(pkg, 'grid', NW_GRID).geometry = rectangle(west - 0.01, north - 0.005, west, north);
    });
    // 0.01° × 0.005° at lat 25.0175 is 1,007.6 m × 556.0 m
    expect(messages(problems)).toEqual([
      `grid ${NW_GRID} lies outside its community 530102001001 by 560,215 m² (of its 560,215 m²)`,
      'community 530102001001: its 4 grids leave a gap of 560,215 m² (community 2,240,907 m², covered 1,680,692 m²), e.g. at 102.700000, 25.017500 beside grid 530102001001001',
    ]);
  });

  it('reports a duplicate code', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID_EAST).properties.code = NW_GRID;
    });
    expect(messages(problems)).toContain(`grid ${NW_GRID}: code is used twice (grid #0 and grid #1)`);
  });

  it('reports a code that does not start with its parent community code', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID).properties.code = '530102001002009';
    });
    expect(messages(problems)).toEqual([
      `grid 530102001002009: code does not start with its parent's code 530102001001`,
      // the staff list still names the old code
      `staff ${NW_GRID}: staff.json lists staff for a grid that does not exist`,
    ]);
  });

  it('reports a code of the wrong length for its level', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID).properties.code = '5301020010010';
    });
    expect(messages(problems)).toContain('grid 5301020010010: code has 13 digits; a grid code has 15');
  });

  it('reports a parent that does not exist', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID).properties.parent = '530102001009';
    });
    expect(messages(problems)).toContain(`grid ${NW_GRID}: parent community 530102001009 does not exist`);
  });

  it('reports swapped latitude and longitude, naming the grid', () => {
    const problems = validate((pkg) => {
      const g = featureByCode(pkg, 'grid', NW_GRID);
      const poly = g.geometry as import('geojson').Polygon;
      poly.coordinates = poly.coordinates.map((ring) => ring.map(([lon, lat]) => [lat!, lon!]));
    });
    const crs = problems.find((p) => p.rule === 'crs-range');
    expect(crs?.message).toBe(
      `grid ${NW_GRID}: 5 of 5 coordinates are outside the plausible wgs84 range (lon 73–135, lat 18–54), e.g. [25.015, 102.7]; latitude and longitude look swapped`,
    );
  });

  it('reports a missing property by name', () => {
    const problems = validate((pkg) => {
      delete featureByCode(pkg, 'grid', NW_GRID).properties.households;
    });
    expect(messages(problems)).toEqual([`grid ${NW_GRID}: property "households" is missing`]);
  });

  it('reports a service centre outside its community with the distance', () => {
    const problems = validate((pkg) => {
      const sc = pkg.serviceCentres.find((f) => f.properties.area === '530102001001')!;
      // 0.01° south of the community's southern edge at 25.01: ≈1,113 m
      sc.geometry.coordinates = [102.705, 25.0];
    });
    expect(messages(problems)).toEqual([expect.stringMatching(/^service-centre sc-530102001001 lies outside its area community 530102001001 by 1,11\d m$/)]);
  });

  it('reports a department outside its district', () => {
    const problems = validate((pkg) => {
      pkg.departments[1]!.geometry.coordinates = [102.8, 25.01];
    });
    expect(messages(problems)).toEqual([expect.stringMatching(/^department dept-530102-um lies outside its area district 530102 by 6,\d{3} m$/)]);
  });

  it('reports every problem, not only the first', () => {
    const problems = validate((pkg) => {
      featureByCode(pkg, 'grid', NW_GRID_EAST).properties.code = NW_GRID;
      delete featureByCode(pkg, 'street', '530102002').properties.name;
      pkg.meta.counts.grid = 17;
    });
    expect(messages(problems).sort()).toEqual(
      [
        `grid ${NW_GRID}: code is used twice (grid #0 and grid #1)`,
        'street 530102002: property "name" is missing',
        'city.json: counts.grid says 17, the package has 16',
        // the renamed grid's old code keeps its staff list
        `staff ${NW_GRID_EAST}: staff.json lists staff for a grid that does not exist`,
      ].sort(),
    );
  });

  it('does not count water that no grid covers as a gap, but counts the rest', () => {
    const problems = validate((pkg) => {
      // drop the NW grid and put a lake over its western half
      pkg.areas.grid = pkg.areas.grid.filter((f) => f.properties.code !== NW_GRID);
      delete pkg.staff[NW_GRID];
      pkg.meta.counts.grid = 15;
      pkg.water = [{ type: 'Feature', geometry: rectangle(west, north - 0.005, west + 0.005, north), properties: {} }];
    });
    expect(messages(problems)).toEqual([
      expect.stringMatching(/^community 530102001001: its 3 grids leave a gap of 280,1\d\d m² \(community 2,240,907 m², covered 1,680,692 m², water 280,1\d\d m² not counted\), e\.g\. at 102\.710000, 25\.017500 beside grid 530102001001002$/),
    ]);
  });

  it('warns about a district hole that no district fills, and not about the same hole in the areas below it', () => {
    // an enclave of another district, 0.004° × 0.003°, cut out of one grid and all its ancestors
    const hole = [[102.713, 25.006], [102.713, 25.009], [102.717, 25.009], [102.717, 25.006], [102.713, 25.006]];
    const problems = validate((pkg) => {
      for (const [level, code] of [['grid', '530102001002002'], ['community', '530102001002'], ['street', '530102001'], ['district', '530102']] as const)
        (featureByCode(pkg, level, code).geometry as import('geojson').Polygon).coordinates.push(hole);
    });
    expect(errors(problems)).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^district 530102 encloses a gap of 134,4\d\d m² that no district fills \(a hole at 102\.713000, 25\.006000\): a gap, or an enclave of an area outside the package$/,
      ),
    ]);
  });

  it('names a missing file', () => {
    const dir = join(root, 'missing-file');
    writePackageFixture(dir, makePackageFixture());
    writeFileSync(join(dir, 'areas.topo.json'), '{ not json');
    expect(messages(validateCityPackage(dir))[0]).toMatch(/^file areas\.topo\.json: is not valid JSON/);
    expect(messages(validateCityPackage(join(root, 'no-such-dir')))).toContain('file city.json: is missing');
  });
});

describe('planar intersection area', () => {
  const projection = new LocalProjection(0, 0);
  // near the equator at lon/lat 0 the projection is ≈ 111,195 m per degree both ways; compare in that unit
  const degree = (6_371_008.8 * Math.PI) / 180;
  const unit = (m2: number) => m2 / (degree * degree);
  const shape = (coordinates: number[][][]) => toPlanar({ type: 'Polygon', coordinates }, projection);
  const box = (x0: number, y0: number, x1: number, y1: number, clockwise = false) => {
    const ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    return clockwise ? ring.reverse() : ring;
  };

  it('matches the analytic overlap of random rectangles in either winding order', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 200; i++) {
      const r = () => random() * 0.01;
      const [ax0, ax1] = [r(), r()].sort((p, q) => p - q) as [number, number];
      const [ay0, ay1] = [r(), r()].sort((p, q) => p - q) as [number, number];
      const [bx0, bx1] = [r(), r()].sort((p, q) => p - q) as [number, number];
      const [by0, by1] = [r(), r()].sort((p, q) => p - q) as [number, number];
      const expected = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0)) * Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
      const got = unit(intersectionArea(shape([box(ax0, ay0, ax1, ay1, random() < 0.5)]), shape([box(bx0, by0, bx1, by1, random() < 0.5)])));
      expect(got).toBeCloseTo(expected, 9);
    }
  });

  it('gives 0 for polygons that only share an edge, and honours holes and concave outlines', () => {
    expect(intersectionArea(shape([box(0, 0, 0.01, 0.01)]), shape([box(0.01, 0, 0.02, 0.01)]))).toBe(0);
    // an L (0.02 square minus its top-right 0.01 square) against that top-right square plus a margin
    const ell = shape([[[0, 0], [0.02, 0], [0.02, 0.01], [0.01, 0.01], [0.01, 0.02], [0, 0.02], [0, 0]]]);
    expect(unit(intersectionArea(ell, shape([box(0.005, 0.005, 0.02, 0.02)])))).toBeCloseTo(0.015 * 0.015 - 0.01 * 0.01, 10);
    // a square with a square hole against a box over the hole and part of the ring
    const donut = shape([box(0, 0, 0.03, 0.03), box(0.01, 0.01, 0.02, 0.02, true)]);
    expect(unit(intersectionArea(donut, shape([box(0.005, 0.005, 0.025, 0.025)])))).toBeCloseTo(0.02 * 0.02 - 0.01 * 0.01, 10);
  });
});
