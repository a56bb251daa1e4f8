/**
 * Land regions: each district's polygons minus the water mask and minus the districts before it, in planar metres,
 * with every vertex of one region that lies on another region's edge inserted into that edge.
 *
 * Why both: the source districts of some cities overlap their neighbours (Beijing's by up to 0.2 km²), and a
 * clipped border carries crossing points that its neighbour lacks (a T-junction). Either would leave grids of two
 * districts overlapping or sliver gaps after quantisation. Made disjoint and vertex-consistent here, the regions
 * tile exactly, and the whole-city Voronoi overlay inherits that.
 */
import { bboxPolygon, difference, featureCollection, intersect, multiPolygon } from '@turf/turf';
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';
import { BandedPolygon, polygonArea, ringsBbox, type Point, type PolygonRings } from './planar';

export interface LandDistrict {
  index: number;
  code: string;
  name: string;
  /** district seat, metres */
  seat: [number, number];
  /** land polygons (district minus water and earlier districts), metres */
  land: PolygonRings[];
  inside: BandedPolygon;
  /** area of land, m² */
  areaM2: number;
  /** area removed as water, m² */
  waterM2: number;
  /** area removed because an earlier district already claimed it (source overlap), m² */
  overlapM2: number;
}

function toRings(g: Polygon | MultiPolygon): PolygonRings[] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((rings) => rings.map((ring) => ring.map((p) => [p[0] as number, p[1] as number] as Point)));
}

function area(polygons: PolygonRings[]): number {
  return polygons.reduce((s, p) => s + polygonArea(p), 0);
}

function overlaps(a: [number, number, number, number], b: [number, number, number, number]): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** `district` minus every polygon set in `cutters` (empty cutters: unchanged). */
export function subtract(district: PolygonRings[], cutters: PolygonRings[][]): PolygonRings[] {
  const box = ringsBbox(district.flat());
  const relevant = cutters.filter((c) => c.length > 0 && overlaps(box, ringsBbox(c.flat())));
  if (relevant.length === 0) return district;
  const result = difference(featureCollection<Polygon | MultiPolygon>([multiPolygon(district), ...relevant.map((c) => multiPolygon(c))]));
  return result ? toRings(result.geometry) : [];
}

/**
 * Rewrites polygons in the clipper's normal form: a ring that touches itself around an outside pocket (common in
 * the echarts sources) becomes an outline plus a hole, so later steps see the pocket (and can fill it) instead of
 * meeting it inside one cell's clip.
 */
export function normalise(polygons: PolygonRings[]): PolygonRings[] {
  const [x0, y0, x1, y1] = ringsBbox(polygons.flat());
  const frame = bboxPolygon([x0 - 1000, y0 - 1000, x1 + 1000, y1 + 1000]);
  const result = intersect(featureCollection<Polygon | MultiPolygon>([multiPolygon(polygons), frame]));
  return result ? toRings(result.geometry) : [];
}

/** Distance from p to segment ab, and p's parameter along it. */
function onSegment(p: Point, a: Point, b: Point): { d: number; t: number } {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return { d: Infinity, t: 0 };
  const t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  const qx = a[0] + t * dx, qy = a[1] + t * dy;
  return { d: Math.hypot(p[0] - qx, p[1] - qy), t };
}

/**
 * Inserts into each ring edge every vertex of any region that lies on it (within `toleranceM`), so that two regions
 * sharing a border share all its vertices. Returns how many vertices were inserted.
 */
export function insertSharedVertices(regions: PolygonRings[][], toleranceM = 1e-3): number {
  const vertices: Point[] = [];
  const seen = new Set<string>();
  for (const region of regions) for (const p of region) for (const r of p) for (const v of r) {
    const key = `${v[0]},${v[1]}`;
    if (!seen.has(key)) { seen.add(key); vertices.push(v); }
  }
  if (vertices.length === 0) return 0;
  const index = new Flatbush(vertices.length);
  for (const v of vertices) index.add(v[0], v[1], v[0], v[1]);
  index.finish();
  let inserted = 0;
  for (const region of regions) {
    for (const polygon of region) {
      polygon.forEach((ring, ri) => {
        const out: Point[] = [ring[0]!];
        for (let i = 1; i < ring.length; i++) {
          const a = ring[i - 1]!, b = ring[i]!;
          const hits = index.search(Math.min(a[0], b[0]) - toleranceM, Math.min(a[1], b[1]) - toleranceM,
            Math.max(a[0], b[0]) + toleranceM, Math.max(a[1], b[1]) + toleranceM);
          const between = hits
            .map((h) => vertices[h]!)
            .filter((v) => !(v[0] === a[0] && v[1] === a[1]) && !(v[0] === b[0] && v[1] === b[1]))
            .map((v) => ({ v, ...onSegment(v, a, b) }))
            .filter((e) => e.d <= toleranceM && e.t > 0 && e.t < 1)
            .sort((x, y) => x.t - y.t || x.v[0] - y.v[0] || x.v[1] - y.v[1]);
          for (const e of between) out.push(e.v);
          inserted += between.length;
          out.push(b);
        }
        polygon[ri] = out;
      });
    }
  }
  return inserted;
}

/**
 * Fills the parts of each district's holes that neither another district nor the water covers. Such pockets are
 * left by the source polygons (a ring touching itself around an outside pocket, or a hole larger than the enclave
 * meant to fill it, as around Beijing's airport); left open they would be gaps in the city. The district takes the
 * pocket: it is re-cut as (district with its small holes filled) − water − every other district. Holes of
 * `maxPocketM2` or more are kept, since they may be enclaves of districts outside the package.
 * @returns the filled area, m²
 */
export function fillSourceGaps(regions: PolygonRings[][], water: PolygonRings[], maxPocketM2 = 50_000): number {
  let filled = 0;
  regions.forEach((region, di) => {
    const small = (hole: Point[]) => Math.abs(polygonArea([hole])) < maxPocketM2;
    if (!region.some((rings) => rings.slice(1).some(small))) return;
    // A large hole may be a real enclave of a district outside the package: keep it, and let the validator say so.
    const solid = region.map((rings) => rings.filter((hole, ri) => ri === 0 || !small(hole)));
    const others = regions.filter((_, oi) => oi !== di);
    const refilled = subtract(solid, [water, ...others]);
    const gained = area(refilled) - area(region);
    // Only a real pocket justifies re-cutting: a hole exactly filled by its enclave gains nothing but float noise.
    if (gained > 1) {
      regions[di] = refilled;
      filled += gained;
    }
  });
  return filled;
}

/** Builds the land region of every district: disjoint, water-free and vertex-consistent. */
export function buildLand(
  districts: Array<{ code: string; name: string; seat: [number, number]; polygons: PolygonRings[] }>,
  water: PolygonRings[],
): { lands: LandDistrict[]; insertedVertices: number; filledGapM2: number } {
  const regions: PolygonRings[][] = [];
  const stats: Array<{ waterM2: number; overlapM2: number }> = [];
  for (const d of districts) {
    const full = area(d.polygons);
    const dry = subtract(normalise(d.polygons), [water]);
    const land = subtract(dry, regions);
    if (land.length === 0) throw new Error(`district ${d.code} ${d.name} lies entirely under the water mask or earlier districts`);
    regions.push(land);
    stats.push({ waterM2: full - area(dry), overlapM2: area(dry) - area(land) });
  }
  const filledGapM2 = fillSourceGaps(regions, water);
  const insertedVertices = insertSharedVertices(regions);
  const lands = districts.map((d, index) => {
    const land = regions[index]!;
    return {
      index, code: d.code, name: d.name, seat: d.seat, land, inside: new BandedPolygon(land),
      areaM2: area(land), waterM2: stats[index]!.waterM2, overlapM2: stats[index]!.overlapM2,
    };
  });
  return { lands, insertedVertices, filledGapM2 };
}
