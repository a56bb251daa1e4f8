import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { areaChainOf, communityOf, createGridIndex, districtOf, streetOf } from '../../server/geodata/grid-index.js';
import type { Area } from '../../server/geodata/types.js';
import { seededRandom, voronoiGrids } from '../fixtures/geodata/synthetic-grids.js';

function grid(code: string, geometry: Polygon | MultiPolygon): Area {
  return { code, name: code, level: 'grid', parent: code.slice(0, 12), households: 300, population: 900, geometry, bbox: [0, 0, 0, 0] };
}

/** The one grid turf says contains the point (null for none); throws if turf finds several. */
function turfLocate(grids: Area[], lon: number, lat: number): string | null {
  const hits = grids.filter((g) => booleanPointInPolygon([lon, lat], g.geometry));
  if (hits.length > 1) throw new Error(`turf finds ${hits.length} grids at ${lon}, ${lat}`);
  return hits[0]?.code ?? null;
}

describe('createGridIndex', () => {
  it('agrees with turf.booleanPointInPolygon on 5,000 random points over 400 Voronoi grids', () => {
    const bounds: [number, number, number, number] = [102.6, 24.9, 102.8, 25.1];
    const grids = voronoiGrids({ count: 400, seed: 7, bounds });
    const index = createGridIndex(grids);
    const random = seededRandom(11);
    let inside = 0;
    for (let i = 0; i < 5000; i++) {
      // the sampled square is 0.24° wide around 0.2° of grids: about 30% of points fall outside, to check null too
      const lon = 102.58 + random() * 0.24;
      const lat = 24.88 + random() * 0.24;
      const expected = turfLocate(grids, lon, lat);
      expect(index.locate(lon, lat)).toBe(expected);
      if (expected) inside++;
    }
    expect(inside).toBeGreaterThan(3000);
    expect(inside).toBeLessThan(4000);
  });

  it('handles holes and multipolygons like turf does', () => {
    const donut = grid('530102001001001', {
      type: 'Polygon',
      coordinates: [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]],
      ],
    });
    const islands = grid('530102001001002', {
      type: 'MultiPolygon',
      coordinates: [[[[1.5, 1.5], [2.5, 1.5], [2.5, 2.5], [1.5, 2.5], [1.5, 1.5]]], [[[5, 0], [6, 0], [5.5, 1], [5, 0]]]],
    });
    const grids = [donut, islands];
    const index = createGridIndex(grids);
    const random = seededRandom(3);
    for (let i = 0; i < 3000; i++) {
      const lon = -0.5 + random() * 7;
      const lat = -0.5 + random() * 5;
      expect(index.locate(lon, lat)).toBe(turfLocate(grids, lon, lat));
    }
    expect(index.locate(2, 2)).toBe('530102001001002'); // the island inside the donut's hole
    expect(index.locate(1.2, 2)).toBeNull(); // the hole around the island
    expect(index.locate(0.5, 0.5)).toBe('530102001001001');
  });

  it('puts a point on an edge or vertex shared by grids in exactly one of them, whatever their order', () => {
    // a 4×4 lattice of squares, each cut along a diagonal into two triangle grids, so shared edges run three ways
    const grids: Area[] = [];
    const step = 0.01;
    let n = 1;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const x0 = 102.7 + i * step, x1 = 102.7 + (i + 1) * step;
        const y0 = 25 + j * step, y1 = 25 + (j + 1) * step;
        const code = () => `530102001001${String(n++).padStart(3, '0')}`;
        grids.push(grid(code(), { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y0]]] }));
        grids.push(grid(code(), { type: 'Polygon', coordinates: [[[x0, y0], [x1, y1], [x0, y1], [x0, y0]]] }));
      }
    const forward = createGridIndex(grids);
    const backward = createGridIndex([...grids].reverse());
    const random = seededRandom(5);
    const onEdges: Array<[number, number]> = [];
    for (let i = 1; i < 4; i++)
      for (let j = 1; j < 4; j++) {
        const x = 102.7 + i * step;
        const y = 25 + j * step;
        onEdges.push([x, y]); // a vertex shared by six triangles
        const t = random();
        onEdges.push([x + t * step, y]); // a horizontal edge
        onEdges.push([x, y + t * step]); // a vertical edge
        onEdges.push([x + t * step, y + t * step]); // (about) on a diagonal edge
      }
    for (const [lon, lat] of onEdges) {
      const all = forward.locateAll(lon, lat);
      expect(all, `point ${lon}, ${lat}`).toHaveLength(1);
      expect(forward.locate(lon, lat)).toBe(all[0]);
      expect(backward.locate(lon, lat)).toBe(all[0]);
    }
  });

  it('puts every vertex shared by Voronoi grids in exactly one of them, the same one locate answers', () => {
    const bounds: [number, number, number, number] = [102.6, 24.9, 102.7, 25.0];
    const grids = voronoiGrids({ count: 300, seed: 13, bounds });
    const index = createGridIndex(grids);
    let checked = 0;
    for (const g of grids)
      for (const [lon, lat] of (g.geometry as Polygon).coordinates[0]!) {
        // vertices on the outer frame belong to one grid or none; inner ones are shared by three
        if (lon! <= bounds[0] || lon! >= bounds[2] || lat! <= bounds[1] || lat! >= bounds[3]) continue;
        const all = index.locateAll(lon!, lat!);
        expect(all, `vertex ${lon}, ${lat}`).toHaveLength(1);
        expect(index.locate(lon!, lat!)).toBe(all[0]);
        checked++;
      }
    expect(checked).toBeGreaterThan(1000);
  });

  it('answers null outside every grid and for non-finite input', () => {
    const index = createGridIndex(voronoiGrids({ count: 50, seed: 1, bounds: [102.6, 24.9, 102.7, 25.0] }));
    expect(index.locate(100, 30)).toBeNull();
    expect(index.locate(Number.NaN, 25)).toBeNull();
    expect(createGridIndex([]).locate(102.65, 24.95)).toBeNull();
  });

  it('refuses a grid without a polygon, naming it', () => {
    const bad = { ...grid('530102001001001', { type: 'Polygon', coordinates: [] }), geometry: { type: 'Point', coordinates: [0, 0] } };
    expect(() => createGridIndex([bad as unknown as Area])).toThrow('grid 530102001001001: geometry must be a Polygon or MultiPolygon');
  });
});

describe('area chain helpers', () => {
  it('derive the community, street and district codes from a grid code', () => {
    expect(areaChainOf('530102001002003')).toEqual({ district: '530102', street: '530102001', community: '530102001002', grid: '530102001002003' });
    expect(communityOf('530102001002003')).toBe('530102001002');
    expect(streetOf('530102001002003')).toBe('530102001');
    expect(districtOf('530102001002003')).toBe('530102');
  });

  it('reject a code that is not a 15-digit grid code', () => {
    expect(() => communityOf('530102001')).toThrow('grid code "530102001" must be 15 digits');
  });
});
