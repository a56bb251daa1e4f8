/**
 * Voronoi cells of all grid seeds, clipped to the land of each district. One diagram is made for the whole city
 * (not one per district): then a cell edge that crosses a district border crosses it at the same point for the
 * pieces on both sides, so the overlay is a clean planar partition with no T-junctions along district borders.
 * Only cells whose bounding box meets a land boundary segment are clipped; the rest are whole (the fast path).
 */
import { bboxClip, featureCollection, intersect, multiPolygon, polygon } from '@turf/turf';
import { Delaunay } from 'd3-delaunay';
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { LandDistrict } from './land';
import { polygonArea, ringsBbox, type Point, type PolygonRings } from './planar';

/** A cell (or part of one) lying in one district's land. */
export interface Piece {
  /** index of the seed whose Voronoi cell this comes from */
  cell: number;
  /** index of the district whose land holds it */
  district: number;
  rings: PolygonRings;
  areaM2: number;
}

/** Returns the pieces of every seed's cell on every district's land, in seed order then district order. */
export function clipCells(seeds: readonly { position: Point }[], lands: readonly LandDistrict[]): { pieces: Piece[]; clipped: number } {
  const all = lands.flatMap((l) => l.land);
  const [minX, minY, maxX, maxY] = ringsBbox(all.flat());
  const margin = 1000;
  const delaunay = Delaunay.from(seeds.map((s) => s.position));
  const voronoi = delaunay.voronoi([minX - margin, minY - margin, maxX + margin, maxY + margin]);

  const segments: Array<{ district: number }> = [];
  let segmentCount = 0;
  for (const l of lands) for (const p of l.land) for (const r of p) segmentCount += r.length - 1;
  const segmentIndex = new Flatbush(Math.max(1, segmentCount));
  lands.forEach((l, di) => {
    for (const p of l.land) {
      for (const r of p) {
        for (let i = 1; i < r.length; i++) {
          const a = r[i - 1] as Point, b = r[i] as Point;
          segmentIndex.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
          segments.push({ district: di });
        }
      }
    }
  });
  if (segmentCount === 0) segmentIndex.add(0, 0, 0, 0);
  segmentIndex.finish();
  const landFeatures = lands.map((l) => multiPolygon(l.land));
  const landBoxes = lands.map((l) => l.inside.bbox);

  const pieces: Piece[] = [];
  let clipped = 0;
  seeds.forEach((seed, cell) => {
    const ring = voronoi.cellPolygon(cell) as Point[] | null;
    if (!ring) throw new Error(`grid seed ${cell} has no Voronoi cell (duplicate site?)`);
    const cellRing = ring.map((p) => [p[0], p[1]] as Point);
    const [cx0, cy0, cx1, cy1] = ringsBbox([cellRing]);
    const hits = segmentIndex.search(cx0, cy0, cx1, cy1);
    if (hits.length === 0) {
      const home = lands.findIndex((l) => l.inside.contains(seed.position));
      if (home >= 0) pieces.push({ cell, district: home, rings: [cellRing], areaM2: polygonArea([cellRing]) });
      return;
    }
    clipped++;
    const cellFeature = polygon([cellRing]);
    lands.forEach((l, di) => {
      const [lx0, ly0, lx1, ly1] = landBoxes[di]!;
      if (lx0 > cx1 || lx1 < cx0 || ly0 > cy1 || ly1 < cy0) return;
      const touches = hits.some((h) => segments[h]!.district === di);
      if (!touches) {
        // No border of this district crosses the cell's box: the cell is wholly inside or wholly outside it.
        if (l.inside.contains(cellRing[0]!)) {
          pieces.push({ cell, district: di, rings: [cellRing], areaM2: polygonArea([cellRing]) });
        }
        return;
      }
      const local = landNear(landFeatures[di]!.geometry, [cx0, cy0, cx1, cy1]);
      if (!local) return;
      const result = safeIntersect(cellFeature.geometry, local, cell, l.code);
      for (const rings of result) {
        const areaM2 = polygonArea(rings);
        if (areaM2 > 0) pieces.push({ cell, district: di, rings, areaM2 });
      }
    });
  });
  return { pieces, clipped };
}

/**
 * The part of a district's land near a cell: its polygons cut to the cell's box plus a margin. polyclip-ts works in
 * arbitrary precision and its cost grows with every vertex of both inputs, so handing it a district of thousands of
 * vertices for each border cell is the slowest way to clip. The box cut adds edges only along the enlarged box,
 * which lies outside the cell, so the intersection is unchanged.
 */
function landNear(land: MultiPolygon, box: [number, number, number, number]): MultiPolygon | null {
  const margin = Math.max(box[2] - box[0], box[3] - box[1]) * 0.1 + 1;
  const clipped = bboxClip(multiPolygon(land.coordinates), [box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin]).geometry;
  const parts: Position[][][] = clipped.type === 'Polygon' ? [clipped.coordinates as Position[][]]
    : clipped.type === 'MultiPolygon' ? (clipped.coordinates as Position[][][]) : [];
  const polys = parts
    .filter((rings) => (rings[0]?.length ?? 0) >= 4)
    .map((rings) => rings.filter((r) => r.length >= 4))
    .filter((rings) => polygonArea(rings) > 0);
  return polys.length > 0 ? { type: 'MultiPolygon', coordinates: polys } : null;
}

function safeIntersect(cell: Polygon, land: MultiPolygon, index: number, code: string): PolygonRings[] {
  let result;
  try {
    result = intersect(featureCollection<Polygon | MultiPolygon>([
      { type: 'Feature', properties: {}, geometry: cell },
      { type: 'Feature', properties: {}, geometry: land },
    ]));
  } catch (error) {
    throw new Error(`clipping the cell of seed ${index} to district ${code} failed: ${(error as Error).message}`);
  }
  if (!result) return [];
  const g = result.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((rings) => rings.map((r) => r.map((p) => [p[0] as number, p[1] as number] as Point)));
}
