/**
 * Planar geometry for the build. Every step from sampling to clipping works in metres on a local equirectangular
 * projection around the city centre: over a city's extent its scale error is far below the 1 m quantisation step,
 * and areas and distances come out in m² and m directly (turf's spherical area does not add up exactly, GEODATA.md).
 */
import type { Position } from 'geojson';

export type Point = [number, number];
export type Ring = Point[];
/** A polygon as rings: the first is the outline, the rest are holes. */
export type PolygonRings = Ring[];

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LON_EQUATOR = 111_320;

/** Local projection between WGS84 lon/lat and planar metres. */
export class LocalProjection {
  readonly kx: number;
  readonly ky = METRES_PER_DEGREE_LAT;
  constructor(readonly origin: Point) {
    this.kx = METRES_PER_DEGREE_LON_EQUATOR * Math.cos((origin[1] * Math.PI) / 180);
  }
  toMetres(p: Position): Point {
    return [((p[0] as number) - this.origin[0]) * this.kx, ((p[1] as number) - this.origin[1]) * this.ky];
  }
  toLonLat(p: Position): Point {
    return [(p[0] as number) / this.kx + this.origin[0], (p[1] as number) / this.ky + this.origin[1]];
  }
}

/** Signed area of a ring (shoelace): positive when counter-clockwise. */
export function ringSignedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) {
    const a = ring[j] as Position;
    const b = ring[i] as Position;
    sum += ((a[0] as number) - (b[0] as number)) * ((a[1] as number) + (b[1] as number));
  }
  return sum / 2;
}

/** Area of a polygon (outline minus holes), in squared input units. */
export function polygonArea(rings: readonly (readonly Position[])[]): number {
  let area = 0;
  rings.forEach((ring, i) => {
    const a = Math.abs(ringSignedArea(ring));
    area += i === 0 ? a : -a;
  });
  return area;
}

/** Even-odd point-in-polygon over all rings (holes included). */
export function pointInRings(p: Point, rings: readonly (readonly Position[])[]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) {
      const a = ring[i] as Position;
      const b = ring[j] as Position;
      const ay = a[1] as number, by = b[1] as number;
      if (ay > p[1] !== by > p[1]) {
        const x = (((b[0] as number) - (a[0] as number)) * (p[1] - ay)) / (by - ay) + (a[0] as number);
        if (p[0] < x) inside = !inside;
      }
    }
  }
  return inside;
}

/** [minX, minY, maxX, maxY] of a set of rings. */
export function ringsBbox(rings: readonly (readonly Position[])[]): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const ring of rings) {
    for (const p of ring) {
      const x = p[0] as number, y = p[1] as number;
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * Fast point-in-polygon for a fixed MultiPolygon: edges are bucketed into horizontal bands so a test scans only the
 * edges of its band. Sampling draws hundreds of thousands of points against district outlines of thousands of
 * vertices, which a plain ray cast over every edge makes the slowest step of the build.
 */
export class BandedPolygon {
  private readonly bands: Float64Array[];
  private readonly minY: number;
  private readonly bandHeight: number;
  readonly bbox: [number, number, number, number];

  constructor(polygons: readonly PolygonRings[], bandCount = 512) {
    this.bbox = ringsBbox(polygons.flat());
    this.minY = this.bbox[1];
    this.bandHeight = (this.bbox[3] - this.bbox[1]) / bandCount || 1;
    const buckets: number[][] = Array.from({ length: bandCount }, () => []);
    for (const ring of polygons.flat()) {
      for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) {
        const a = ring[i] as Point, b = ring[j] as Point;
        const lo = this.band(Math.min(a[1], b[1]), bandCount), hi = this.band(Math.max(a[1], b[1]), bandCount);
        for (let k = lo; k <= hi; k++) (buckets[k] as number[]).push(a[0], a[1], b[0], b[1]);
      }
    }
    this.bands = buckets.map((edges) => Float64Array.from(edges));
  }

  private band(y: number, count: number): number {
    return Math.min(count - 1, Math.max(0, Math.floor((y - this.minY) / this.bandHeight)));
  }

  contains(p: Point): boolean {
    const [minX, minY, maxX, maxY] = this.bbox;
    if (p[0] < minX || p[0] > maxX || p[1] < minY || p[1] > maxY) return false;
    const edges = this.bands[this.band(p[1], this.bands.length)] as Float64Array;
    let inside = false;
    for (let i = 0; i < edges.length; i += 4) {
      const ax = edges[i] as number, ay = edges[i + 1] as number, bx = edges[i + 2] as number, by = edges[i + 3] as number;
      if (ay > p[1] !== by > p[1] && p[0] < ((bx - ax) * (p[1] - ay)) / (by - ay) + ax) inside = !inside;
    }
    return inside;
  }
}

/** Euclidean distance between two planar points. */
export function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
